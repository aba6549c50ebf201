using System.Diagnostics;
using System.Net.Http.Json;
using System.Globalization;
using System.Text;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>sync</c>: N connections each sending <c>POST</c> back to back for a fixed time, to each target in turn, all
/// answered in the end by the same nginx stub: the stub directly (the ceiling of this machine and load tool), nginx as a
/// reverse proxy, YARP as a reverse proxy, and the silo (<c>POST /invoke/{name}</c>, a registered function whose
/// endpoint is the stub). Targets run one after another in each round, so every ratio comes from one run on one
/// machine; with several rounds the summary takes medians.
/// </summary>
internal static class SyncScenario
{
    public const string Direct = "nginx stub directly";
    public const string NginxProxy = "nginx as reverse proxy";
    public const string Yarp = "YARP reverse proxy";
    public const string Silo = "silo /invoke";

    public static async Task<SyncRun> RunAsync(Options options)
    {
        var connections = options.Int("connections", 64);
        var duration = options.Seconds("duration", 10);
        var warmup = options.Seconds("warmup", 2);
        var rounds = options.Int("rounds", 1);
        var rate = options.Int("rate", 0);
        var profile = options.Text("profile", "false") == "true";
        var wanted = options.Text("targets", "direct,nginx,yarp,silo").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        await using var stub = await NginxStub.StartAsync();
        await using var nginx = await SyncBaselines.StartNginxProxyAsync(stub);
        // With --profile the runtime names JIT-compiled methods for perf (/tmp/perf-<pid>.map), in the silo and in YARP.
        var perfMap = profile
            ? new Dictionary<string, string?> { ["DOTNET_PerfMapEnabled"] = "1", ["DOTNET_EnableWriteXorExecute"] = "0" }
            : [];
        await using var yarp = await SyncBaselines.StartYarpAsync(stub, perfMap);
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?>(perfMap)
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Security__RateLimits__InvocationsPerSecond"] = "0", // one address sends everything
        });
        using var admin = new HttpClient { BaseAddress = silo.BaseAddress };
        (await admin.PostAsJsonAsync("admin/functions", new { name = "fixed", endpoint = stub.Url.ToString(), retry = false })).EnsureSuccessStatusCode();

        var forwarded = Encoding.UTF8.GetBytes("""{"text":"hello"}""");
        var targets = new (string Key, string Name, Uri Url, byte[] Body, int? Pid, Func<double>? Cpu)[]
        {
            ("direct", Direct, stub.Url, forwarded, null, null),
            ("nginx", NginxProxy, new Uri(nginx.BaseAddress, "fn"), forwarded, null, () => ProcessCpu.SecondsWithChildren(nginx.Pid)),
            ("yarp", Yarp, new Uri(yarp.BaseAddress, "fn"), forwarded, yarp.Pid, () => ProcessCpu.Seconds(yarp.Pid)),
            ("silo", Silo, new Uri(silo.BaseAddress, "invoke/fixed"), Encoding.UTF8.GetBytes("""{"payload":{"text":"hello"}}"""), silo.Pid, () => ProcessCpu.Seconds(silo.Pid)),
        };
        var rows = new List<ResultRow>();
        var profiles = new List<string>();
        var bars = new List<(string, Dictionary<string, double>)>();
        var plot = options.Text("stages-plot", Path.Combine(Environment.CurrentDirectory, "sync-stages.svg"));
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (key, name, url, body, pid, cpu) in targets.Where(t => wanted.Contains(t.Key)))
            {
                // A .NET server's samples (the silo's, YARP's) cover its measured window: perf starts when the warm-up ends.
                var sampling = profile && pid is { } sampled
                    ? Task.Delay(warmup).ContinueWith(_ => StageProfile.Start([sampled], duration), TaskScheduler.Default)
                    : null;
                var row = await DriveAsync(name, url, body, connections, duration, warmup, rate, cpu);
                if (sampling is not null && await sampling is { } started)
                {
                    // No successful call, no CPU per call: nothing to scale the shares by (reading still removes the recording).
                    var perCall = row.Extra?.GetValueOrDefault("server_cpu_us_per_call") ?? 0;
                    var (microseconds, text) = await started.DescribeAsync(perCall, $"call ({name}, round {round})", plot);
                    foreach (var (stage, us) in microseconds)
                    {
                        row.Extra?[StageProfile.KeyOf(stage)] = us;
                    }

                    bars.Add((rounds > 1 ? $"{name} #{round}" : name, microseconds));
                    profiles.Add(text);
                }

                rows.Add(rounds > 1 ? row with { Target = $"{name} #{round}" } : row);
            }
        }

        if (bars.Count > 0)
        {
            await SvgChart.WriteBarsAsync(plot, $"Server CPU per sync call by stage ({connections} connections)", "µs of server CPU per call", StageProfile.Stages, bars);
        }

        var run = new SyncRun(rows, rounds);
        var summary = run.Summary();
        await Report.WriteAsync("sync", rows, new()
        {
            ["connections"] = connections,
            ["duration_s"] = duration.TotalSeconds,
            ["warmup_s"] = warmup.TotalSeconds,
            ["rate"] = rate,
            ["rounds"] = rounds,
            ["summary"] = summary,
        }, options.Text("out", null!));
        Console.WriteLine();
        Console.WriteLine(rounds > 1 ? $"medians of {rounds} rounds:" : "summary:");
        foreach (var (target, figures) in summary)
        {
            var cpu = figures.TryGetValue("cpu_us_per_call", out var perCall)
                ? string.Create(CultureInfo.InvariantCulture, $"  {perCall,6:0.0} µs CPU per call")
                : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {target,-24} {figures["rate"],9:0}/s  p50 {figures["p50_ms"],6:0.00} ms  p99 {figures["p99_ms"],6:0.00} ms{cpu}"));
        }

        foreach (var (label, value) in run.Ratios())
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: {value:0.00}"));
        }

        if (rounds > 1 && run.ByRound(Silo, Yarp, SyncRun.Rate) is { Count: > 1 } byRound)
        {
            // Rounds alternate the targets, so each round's ratio saw one state of the host: their spread is the noise.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  silo / YARP, throughput by round: {string.Join(", ", byRound.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))} (median {SyncRun.Median(byRound):0.00})"));
        }

        foreach (var text in profiles)
        {
            Console.WriteLine(text);
        }

        return run;
    }

    /// <summary>
    /// Closed loop (each connection sends its next request when the previous one is answered), or with
    /// <paramref name="rate"/> an open loop: requests start on a fixed schedule over the connections, and latency
    /// counts from when each was due, so a backlog shows up in it.
    /// </summary>
    /// <param name="serverCpu">When given, the CPU seconds of the server so far: its CPU per successful call is reported too.</param>
    public static async Task<ResultRow> DriveAsync(string target, Uri url, byte[] body, int connections, TimeSpan duration, TimeSpan warmup, int rate = 0, Func<double>? serverCpu = null)
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
                    if (Interlocked.CompareExchange(ref measuredStart, now, 0) == 0 && serverCpu is not null)
                    {
                        cpuAtStart = serverCpu();
                    }
                }

                var started = rate > 0 ? due : Stopwatch.GetTimestamp();
                var ok = await PostAsync(http, url, body);

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
        var extra = serverCpu is not null && succeeded > 0
            ? new Dictionary<string, double> { ["server_cpu_us_per_call"] = Math.Round((serverCpu() - cpuAtStart) * 1e6 / succeeded, 1) }
            : null;
        return new ResultRow(target, succeeded, failed, Math.Round(succeeded / seconds, 1), latencies.Summarize(), extra);
    }

    /// <summary>One JSON <c>POST</c>, its answer read whole; false for an error status, no answer, or none in time.</summary>
    public static async Task<bool> PostAsync(HttpClient http, Uri url, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync(url, content);
            await response.Content.LoadIntoBufferAsync();
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // No answer within the client's timeout: a failed call, not the end of the run.
            return false;
        }
    }
}
