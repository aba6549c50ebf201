using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>sync</c>: N connections each sending sync <c>POST /invoke/{name}</c> back to back for a fixed time, against
/// an embedded silo whose function is an nginx stub; then the same load aimed at the stub directly, as the
/// baseline. Reports throughput and latency of both.
/// </summary>
internal static class SyncScenario
{
    public static async Task<(ResultRow ViaSilo, ResultRow Direct)> RunAsync(Options options)
    {
        var connections = options.Int("connections", 64);
        var duration = options.Seconds("duration", 10);
        var warmup = options.Seconds("warmup", 2);
        await using var stub = await NginxStub.StartAsync();
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Security__RateLimits__InvocationsPerSecond"] = "0", // one address sends everything
        });
        using var admin = new HttpClient { BaseAddress = silo.BaseAddress };
        (await admin.PostAsJsonAsync("admin/functions", new { name = "fixed", endpoint = stub.Url.ToString(), retry = false })).EnsureSuccessStatusCode();

        var rate = options.Int("rate", 0);
        var body = Encoding.UTF8.GetBytes("""{"payload":{"text":"hello"}}""");
        var viaSilo = await DriveAsync("silo /invoke", new Uri(silo.BaseAddress, "invoke/fixed"), body, connections, duration, warmup, rate, silo.Pid);
        var direct = await DriveAsync("nginx stub directly", stub.Url, Encoding.UTF8.GetBytes("""{"text":"hello"}"""), connections, duration, warmup, rate);
        var extra = new Dictionary<string, double>(viaSilo.Extra ?? [])
        {
            ["throughput_ratio_to_direct"] = Math.Round(viaSilo.RatePerSecond / direct.RatePerSecond, 3),
            ["added_p50_ms"] = Math.Round(viaSilo.Latency.P50 - direct.Latency.P50, 3),
            ["added_p99_ms"] = Math.Round(viaSilo.Latency.P99 - direct.Latency.P99, 3),
        };
        await Report.WriteAsync("sync", [viaSilo with { Extra = extra }, direct], new()
        {
            ["connections"] = connections,
            ["duration_s"] = duration.TotalSeconds,
            ["warmup_s"] = warmup.TotalSeconds,
            ["rate"] = rate,
        }, options.Text("out", null!));
        Console.WriteLine($"the silo adds p50 {extra["added_p50_ms"]} ms, p99 {extra["added_p99_ms"]} ms over calling the stub directly, and spends {extra.GetValueOrDefault("server_cpu_us_per_call")} µs of CPU per call");
        return (viaSilo, direct);
    }

    /// <summary>
    /// Closed loop (each connection sends its next request when the previous one is answered), or with
    /// <paramref name="rate"/> an open loop: requests start on a fixed schedule over the connections, and latency
    /// counts from when each was due, so a backlog shows up in it.
    /// </summary>
    /// <param name="serverPid">When given, the CPU that process spends per successful call is reported too.</param>
    public static async Task<ResultRow> DriveAsync(string target, Uri url, byte[] body, int connections, TimeSpan duration, TimeSpan warmup, int rate = 0, int? serverPid = null)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new LatencyRecorder();
        long succeeded = 0, failed = 0;
        var measuring = false;
        var stopAt = Stopwatch.GetTimestamp() + (long)((warmup + duration).TotalSeconds * Stopwatch.Frequency);
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        using var progress = new Timer(_ => Console.Write($"\r{target}: {Interlocked.Read(ref succeeded)} ok, {Interlocked.Read(ref failed)} failed   "), null, 1000, 1000);
        var measuredStart = 0L;
        var cpuAtStart = 0.0;

        var scheduleStart = Stopwatch.GetTimestamp();
        long next = -1;

        async Task LoopAsync()
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                long due = 0;
                if (rate > 0)
                {
                    // Each loop takes the next slot of the schedule and waits for it.
                    due = scheduleStart + (long)(Interlocked.Increment(ref next) * (double)Stopwatch.Frequency / rate);
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
                    }

                    if (due >= stopAt)
                    {
                        return;
                    }
                }

                var now = Stopwatch.GetTimestamp();
                if (!measuring && now >= measureFrom)
                {
                    measuring = true;
                    if (Interlocked.CompareExchange(ref measuredStart, now, 0) == 0 && serverPid is { } pid)
                    {
                        cpuAtStart = ProcessCpu.Seconds(pid);
                    }
                }

                var started = rate > 0 ? due : Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    using var response = await http.PostAsync(url, content);
                    await response.Content.LoadIntoBufferAsync();
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                }

                if (!measuring)
                {
                    continue;
                }

                if (ok)
                {
                    Interlocked.Increment(ref succeeded);
                    latencies.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(LoopAsync)));
        Console.WriteLine();
        var seconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
        var extra = serverPid is { } server && succeeded > 0
            ? new Dictionary<string, double> { ["server_cpu_us_per_call"] = Math.Round((ProcessCpu.Seconds(server) - cpuAtStart) * 1e6 / succeeded, 1) }
            : null;
        return new ResultRow(target, succeeded, failed, Math.Round(succeeded / seconds, 1), latencies.Summarize(), extra);
    }
}
