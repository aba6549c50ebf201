using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>reconnect-storm</c>: N clients connect and leave; while they are away each gets K results; then all of them
/// reconnect at once with <c>Last-Event-ID: 0</c>. Reports how long until every client had every missed event.
/// </summary>
internal static class ReconnectStormScenario
{
    public static async Task<StormResult> RunAsync(Options options)
    {
        var clients = options.Int("clients", 10_000);
        var missed = options.Int("missed", 1);
        var rate = options.Int("rate", 1000);
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await LoadCluster.StartAsync("storm", 2);
        var (clusterId, silos) = (cluster.ClusterId, cluster.Silos);
        using var admin = new HttpClient { BaseAddress = silos[1].BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        (await admin.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() })).EnsureSuccessStatusCode();
        using var streams = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, ConnectTimeout = TimeSpan.FromSeconds(60) }) { Timeout = Timeout.InfiniteTimeSpan };
        string Client(int i) => $"{clusterId}-{i}";
        Uri StreamOf(int i) => new(silos[i % 2].BaseAddress, $"sse/{Client(i)}");

        // 1. Every client connects once (its grain and log exist), then leaves.
        await ForEachAsync(clients, 256, async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, StreamOf(i));
            using var response = await streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
        });
        Console.WriteLine($"{clients} clients connected and left");

        // 2. While they are away, each gets `missed` results.
        var sent = 0L;
        var pace = Stopwatch.StartNew();
        await ForEachAsync(clients * missed, 64, async n =>
        {
            var due = TimeSpan.FromSeconds(Interlocked.Increment(ref sent) / (double)rate);
            if (pace.Elapsed < due)
            {
                await Task.Delay(due - pace.Elapsed);
            }

            using var response = await admin.PostAsJsonAsync("invoke/echo", new { payload = new { n }, client_id = Client(n % clients), @async = true });
            response.EnsureSuccessStatusCode();
        });
        Console.WriteLine($"{clients * missed} results published while the clients were away");

        // 3. The storm: everyone reconnects at once with Last-Event-ID 0 and waits for what it missed.
        var served = new LatencyRecorder();
        var complete = 0;
        var storm = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var progress = new Timer(_ => Console.Write($"\r{Volatile.Read(ref complete)} of {clients} served again, {storm.Elapsed.TotalSeconds:0.0} s   "), null, 1000, 1000);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, StreamOf(i));
            request.Headers.Add("Last-Event-ID", "0");
            using var response = await streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            var received = 0;
            await foreach (var item in SseParser.Create(body).EnumerateAsync(stop.Token))
            {
                if (item.EventType == "function_response" && ++received == missed)
                {
                    served.Record(storm.Elapsed.TotalMilliseconds);
                    Interlocked.Increment(ref complete);
                    return;
                }
            }
        })));
        var seconds = storm.Elapsed.TotalSeconds;
        Console.WriteLine();
        var latency = served.Summarize();
        var row = new ResultRow($"{clients} clients x {missed} missed", complete, clients - complete, Math.Round(complete / seconds, 1), latency,
            new() { ["all_served_s"] = Math.Round(seconds, 2) });
        await Report.WriteAsync("reconnect-storm", [row], new() { ["clients"] = clients, ["missed"] = missed, ["rate"] = rate }, options.Text("out", null!));
        return new StormResult(clients, complete, seconds);
    }

    private static async Task ForEachAsync(int count, int parallel, Func<int, Task> body)
    {
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await body(i);
            }
            finally
            {
                gate.Release();
            }
        }));
    }
}

internal sealed record StormResult(int Clients, int ServedAgain, double Seconds);
