using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>fanin</c>: a two-silo cluster (Redis), N clients holding streams on silo A, and async invocations sent to
/// silo B at a fixed rate, each for one client. Latency is from sending the invoke to reading its
/// <c>function_response</c> on A, minus the function's own time (the event's <c>duration_ms</c>). Every result must
/// arrive exactly once.
/// </summary>
internal static class FanInScenario
{
    public static async Task<FanInResult> RunAsync(Options options)
    {
        var clients = options.Int("clients", 1000);
        var rate = options.Int("rate", 1000);
        var duration = options.Seconds("duration", 10);
        await using var stub = await StubFunctionServer.StartAsync();
        var polling = options.Text("polling", "00:00:00.020");
        await using var cluster = await LoadCluster.StartAsync("load", 2, new Dictionary<string, string?> { ["Streams__PollingPeriod"] = polling });
        var clusterId = cluster.ClusterId;
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        using var http = new HttpClient { BaseAddress = b.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        (await http.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() })).EnsureSuccessStatusCode();

        var latencies = new LatencyRecorder();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        using var stop = new CancellationTokenSource();
        using var streamsHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = a.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var connected = 0;
        var readers = Enumerable.Range(0, clients).Select(i => Task.Run(() => ReadAsync(streamsHttp, $"load-{clusterId}-{i}", latencies, seen, () => Interlocked.Increment(ref connected), stop.Token))).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref connected) == clients), $"{clients} streams to open", TimeSpan.FromMinutes(2));
        Console.WriteLine($"{clients} clients connected to silo A; invoking on silo B at {rate}/s for {duration.TotalSeconds} s");

        long sent = 0, refused = 0;
        var interval = TimeSpan.FromMilliseconds(10);
        var perTick = Math.Max(1, rate / 100);
        using var ticker = new PeriodicTimer(interval);
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var inflight = new List<Task>();
        using var progress = new Timer(_ => Console.Write($"\rsent {Interlocked.Read(ref sent)}, received {seen.Count}   "), null, 1000, 1000);
        while (Stopwatch.GetTimestamp() < until && await ticker.WaitForNextTickAsync())
        {
            for (var k = 0; k < perTick; k++)
            {
                var n = Interlocked.Increment(ref sent);
                var client = $"load-{clusterId}-{n % clients}";
                inflight.Add(InvokeAsync(http, client, n, () => Interlocked.Increment(ref refused)));
            }
        }

        await Task.WhenAll(inflight);
        var accepted = sent - refused;
        await Eventually.UntilAsync(() => Task.FromResult(seen.Count >= accepted), "every accepted result to arrive", TimeSpan.FromMinutes(1)).ContinueWith(_ => { });
        await stop.CancelAsync();
        await Task.WhenAll(readers).ContinueWith(_ => { });
        var duplicates = seen.Values.Count(v => v > 1);
        var lost = accepted - seen.Count;
        Console.WriteLine();
        var row = new ResultRow($"{clients} clients, {rate}/s", seen.Count, lost + refused, Math.Round(accepted / duration.TotalSeconds, 1), latencies.Summarize(),
            new() { ["duplicates"] = duplicates, ["lost"] = lost, ["refused"] = refused });
        var plot = options.Text("plot", Path.Combine(Environment.CurrentDirectory, "fanin-latency.svg"));
        await SvgChart.WriteAsync(plot, $"Fan-in latency percentiles ({clients} clients, {rate}/s)", "percentile", "ms",
            [("latency", latencies.Percentiles().Select(p => (p.Percentile, p.Milliseconds)).ToList())]);
        Console.WriteLine($"plot: {plot}");
        await Report.WriteAsync("fanin", [row], new() { ["clients"] = clients, ["rate"] = rate, ["duration_s"] = duration.TotalSeconds, ["polling"] = polling }, options.Text("out", null!));
        return new FanInResult(accepted, seen.Count, duplicates, refused);
    }

    private static async Task InvokeAsync(HttpClient http, string client, long n, Action refused)
    {
        var payload = new { payload = new { n, sent = Stopwatch.GetTimestamp() }, client_id = client, @async = true };
        try
        {
            using var response = await http.PostAsJsonAsync("invoke/echo", payload);
            if (!response.IsSuccessStatusCode)
            {
                refused();
            }
        }
        catch (HttpRequestException)
        {
            refused();
        }
    }

    private static async Task ReadAsync(
        HttpClient http, string clientId, LatencyRecorder latencies, System.Collections.Concurrent.ConcurrentDictionary<long, int> seen, Action connected, CancellationToken stop)
    {
        try
        {
            using var response = await http.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead, stop);
            await using var body = await response.Content.ReadAsStreamAsync(stop);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(stop))
            {
                if (item.EventType == "connected")
                {
                    connected();
                    continue;
                }

                if (item.EventType != "function_response")
                {
                    continue;
                }

                var now = Stopwatch.GetTimestamp();
                using var document = JsonDocument.Parse(item.Data);
                var root = document.RootElement;
                var payload = root.GetProperty("data").GetProperty("payload");
                var sentAt = payload.GetProperty("sent").GetInt64();
                var functionMs = root.GetProperty("duration_ms").GetDouble();
                seen.AddOrUpdate(payload.GetProperty("n").GetInt64(), 1, (_, c) => c + 1);
                latencies.Record(Math.Max(0, (now - sentAt) * 1000.0 / Stopwatch.Frequency - functionMs));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

internal sealed record FanInResult(long Accepted, int Received, int Duplicates, long Refused);
