using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>connections</c>: a Redis-backed cluster of silos on this machine and many idle SSE clients spread over them,
/// opened by worker processes (one source address each) so that no process passes its open-file limit. Reports
/// per silo the streams held and its RSS before and after, and whether heartbeats reached every stream. Unless
/// <c>--baseline none</c>, a bare Kestrel SSE app (<c>Baselines/KestrelSse</c>, same GC settings and heartbeat) takes
/// an equal share of the clients in the same run, warmed up and read at the same moments: the floor each silo's
/// figure is read against.
/// </summary>
internal static class ConnectionsScenario
{
    public static async Task<ConnectionsResult> RunAsync(Options options)
    {
        var siloCount = options.Int("silos", 6);
        var clients = options.Int("clients", 100_000);
        var perWorker = options.Int("per-worker", 15_000);
        var hold = options.Seconds("hold", 20);
        var heartbeat = options.Seconds("heartbeat", 5);
        var gc = options.Text("gc", "server");
        var warmUp = options.Int("warmup-streams", 500);
        var settle = options.Seconds("settle", 30);
        var conserve = options.Int("gc-conserve", 0);
        var baselineKind = options.Text("baseline", "kestrel");
        if (baselineKind is not ("kestrel" or "none"))
        {
            throw new ArgumentException($"--baseline must be kestrel or none, not '{baselineKind}'.");
        }

        if (conserve is < 0 or > 9)
        {
            throw new ArgumentException($"--gc-conserve must be 0 (off) to 9, not {conserve}.");
        }

        if (gc is not ("server" or "workstation"))
        {
            throw new ArgumentException($"--gc must be server or workstation, not '{gc}'.");
        }

        var environment = new Dictionary<string, string?>
        {
            ["Gateway__HeartbeatInterval"] = heartbeat.ToString("c", CultureInfo.InvariantCulture),
            // How long an idle client's grain stays (Clients:IdleDeactivation): a hold longer than this plus Orleans'
            // one-minute collection round measures streams whose grains have gone.
            ["Clients__IdleDeactivation"] = options.Text("idle", "00:02:00"),

            // The silo runs server GC; workstation GC holds each stream in less memory (docs/benchmarks.md).
            ["DOTNET_gcServer"] = gc == "workstation" ? "0" : "1",
        };
        if (conserve > 0)
        {
            // Compacts the oldest generation when it is fragmented: what a slow opening promotes and then frees is given back.
            environment["DOTNET_GCConserveMemory"] = conserve.ToString(CultureInfo.InvariantCulture);
        }

        await using var cluster = await LoadCluster.StartAsync("conn", siloCount, environment);
        var (clusterId, silos) = (cluster.ClusterId, cluster.Silos);
        await using var kestrel = baselineKind == "kestrel" ? await StartKestrelBaselineAsync(environment, heartbeat) : null;
        var servers = silos.Select((s, i) => new StreamServer($"silo {i + 1} (:{s.HttpPort})", s.Pid, s.HttpPort, () => LocalConnectionsAsync(s))).ToList();
        if (kestrel is not null)
        {
            servers.Add(new StreamServer($"bare Kestrel (:{kestrel.HttpPort})", kestrel.Pid, kestrel.HttpPort, () => OpenOnKestrelAsync(kestrel)));
        }

        var workers = new List<Process>();
        try
        {
            using var http = new HttpClient { BaseAddress = silos[0].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            await WaitForSilosAsync(http, siloCount);
            var rssCold = servers.Select(s => RssKiB(s.Pid)).ToArray();

            // The baseline is read once each silo has opened and closed a few hundred streams and its RSS has settled;
            // the figures from the cold reading are reported as well.
            var warmedUp = await ConnectionsWarmUp.OpenAndCloseAsync(servers, warmUp, clusterId);
            await ConnectionsWarmUp.SettleAsync(servers, RssKiB, settle);
            var rssBefore = servers.Select(s => RssKiB(s.Pid)).ToArray();
            Console.WriteLine($"RSS before the streams, per server: {string.Join(", ", rssBefore.Select(r => r / 1024))} MiB after {warmedUp} warm-up streams ({string.Join(", ", rssCold.Select(r => r / 1024))} MiB cold)");

            // Workers: one source address each (127.0.0.2, .3, ...), client i on server i % servers.
            var ports = string.Join(',', servers.Select(s => s.HttpPort));
            var lines = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
            var results = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
            var allConnected = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
            for (var w = 0; w * perWorker < clients; w++)
            {
                var count = Math.Min(perWorker, clients - w * perWorker);
                var worker = StartWorker(w, ports, w * perWorker, count, $"127.0.0.{2 + w}", hold, clusterId, lines, allConnected, results);
                workers.Add(worker);
            }

            var clock = Stopwatch.StartNew();
            var samples = new System.Collections.Concurrent.ConcurrentQueue<(double Open, double RssMiB)>();
            using (new Timer(_ =>
            {
                var open = Sum(lines, 1);
                samples.Enqueue((open, silos.Sum(s => RssKiB(s.Pid)) / 1024.0 / siloCount));
                Console.Write($"\r{open} streams open, {Sum(lines, 2)} failed, {clock.Elapsed.TotalSeconds:0} s   ");
            }, null, 1000, 1000))
            {
                await Eventually.UntilAsync(() => Task.FromResult(allConnected.Count == workers.Count), "every worker to open its streams", TimeSpan.FromMinutes(15));
            }

            var openSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"\nall workers connected after {openSeconds:0.0} s; holding {hold.TotalSeconds} s");

            // Every stream is open now: the workers start holding together, and the silos are counted while they do.
            var holding = Stopwatch.StartNew();
            foreach (var worker in workers)
            {
                await worker.StandardInput.WriteLineAsync("HOLD");
                await worker.StandardInput.FlushAsync();
            }

            var held = new long[servers.Count];
            for (var i = 0; i < servers.Count; i++)
            {
                held[i] = await servers[i].OpenStreamsAsync();
            }

            var rssAfter = servers.Select(s => RssKiB(s.Pid)).ToArray();

            // Again near the end of the hold, after rounds of heartbeats were written to every stream.
            var untilLateInHold = hold * 0.9 - holding.Elapsed;
            if (untilLateInHold > TimeSpan.Zero)
            {
                await Task.Delay(untilLateInHold);
            }

            var rssHeld = servers.Select(s => RssKiB(s.Pid)).ToArray();
            await Eventually.UntilAsync(() => Task.FromResult(results.Count == workers.Count), "every worker to report", hold + TimeSpan.FromMinutes(2));
            long connected = 0, failed = 0, withHeartbeat = 0, closed = 0;
            foreach (var line in results.Values)
            {
                var parts = line.Split(' ');
                connected += long.Parse(parts[1], CultureInfo.InvariantCulture);
                failed += long.Parse(parts[2], CultureInfo.InvariantCulture);
                withHeartbeat += long.Parse(parts[3], CultureInfo.InvariantCulture);
                closed += long.Parse(parts[4], CultureInfo.InvariantCulture);
            }

            var rows = new List<ResultRow>();
            for (var i = 0; i < servers.Count; i++)
            {
                var perClient = PerStream(rssAfter[i], rssBefore[i], held[i]);
                var perClientHeld = PerStream(rssHeld[i], rssBefore[i], held[i]);
                rows.Add(new ResultRow(servers[i].Name, held[i], 0, 0, new LatencySummary(0, 0, 0, 0, 0),
                    new()
                    {
                        ["rss_cold_mib"] = rssCold[i] / 1024, ["rss_before_mib"] = rssBefore[i] / 1024, ["rss_after_mib"] = rssAfter[i] / 1024,
                        ["kib_per_client"] = perClient, ["kib_per_client_from_cold"] = PerStream(rssAfter[i], rssCold[i], held[i]),
                        ["rss_end_of_hold_mib"] = rssHeld[i] / 1024, ["kib_per_client_end_of_hold"] = perClientHeld,
                        ["kib_per_client_end_of_hold_from_cold"] = PerStream(rssHeld[i], rssCold[i], held[i]),
                    }));
                Console.WriteLine($"{servers[i].Name}: {held[i]} streams, RSS {rssBefore[i] / 1024} -> {rssAfter[i] / 1024} MiB once open ({perClient} KiB per stream; {PerStream(rssAfter[i], rssCold[i], held[i])} from cold), {rssHeld[i] / 1024} MiB near the end of the hold ({perClientHeld} KiB per stream; {PerStream(rssHeld[i], rssCold[i], held[i])} from cold)");
            }

            rows.Add(new ResultRow("cluster", connected, failed, Math.Round(connected / openSeconds, 1), new LatencySummary(0, 0, 0, 0, 0),
                new() { ["with_heartbeat"] = withHeartbeat, ["closed_early"] = closed, ["open_seconds"] = Math.Round(openSeconds, 1) }));
            Console.WriteLine($"cluster: {connected} streams ({failed} failed), {withHeartbeat} got heartbeats while held, {closed} closed early");
            if (kestrel is not null)
            {
                // Same moment, same GC, same heartbeat: what a silo holds per stream beyond what Kestrel alone holds.
                var k = servers.Count - 1;
                var siloOnce = Median(Enumerable.Range(0, siloCount).Select(i => PerStream(rssAfter[i], rssBefore[i], held[i])));
                var siloHeld = Median(Enumerable.Range(0, siloCount).Select(i => PerStream(rssHeld[i], rssBefore[i], held[i])));
                var kestrelOnce = PerStream(rssAfter[k], rssBefore[k], held[k]);
                var kestrelHeld = PerStream(rssHeld[k], rssBefore[k], held[k]);
                rows.Add(new ResultRow("silo over bare Kestrel", 0, 0, 0, new LatencySummary(0, 0, 0, 0, 0), new()
                {
                    ["silo_kib_per_stream"] = siloOnce, ["kestrel_kib_per_stream"] = kestrelOnce, ["kib_over_kestrel"] = Math.Round(siloOnce - kestrelOnce, 2),
                    ["silo_kib_per_stream_end_of_hold"] = siloHeld, ["kestrel_kib_per_stream_end_of_hold"] = kestrelHeld,
                    ["kib_over_kestrel_end_of_hold"] = Math.Round(siloHeld - kestrelHeld, 2),
                }));
                Console.WriteLine($"per stream, silos (median) against bare Kestrel: {siloOnce} vs {kestrelOnce} KiB once open ({Math.Round(siloOnce - kestrelOnce, 2)} more), {siloHeld} vs {kestrelHeld} KiB near the end of the hold ({Math.Round(siloHeld - kestrelHeld, 2)} more)");
            }

            var plot = options.Text("plot", Path.Combine(Environment.CurrentDirectory, "connections-rss.svg"));
            await SvgChart.WriteAsync(plot, $"Mean silo RSS against open streams ({siloCount} silos)", "open SSE streams (cluster)", "RSS per silo (MiB)",
                [("mean RSS per silo", samples.Select(p => (p.Open, p.RssMiB)).ToList())]);
            Console.WriteLine($"plot: {plot}");
            await Report.WriteAsync("connections", rows, new()
            {
                ["silos"] = siloCount,
                ["gc"] = gc,
                ["gc_conserve_memory"] = conserve,
                ["clients"] = clients,
                ["per_worker"] = perWorker,
                ["hold_s"] = hold.TotalSeconds,
                ["heartbeat_s"] = heartbeat.TotalSeconds,
                ["warmup_streams_per_silo"] = warmUp,
                ["baseline"] = baselineKind,
            }, options.Text("out", null!));
            return new ConnectionsResult(connected, failed, withHeartbeat, closed, held.Take(siloCount).Sum(), warmedUp, held.Skip(siloCount).Sum());
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                }

                worker.Dispose();
            }
        }
    }

    private static Process StartWorker(
        int index, string ports, int from, int count, string source, TimeSpan hold, string prefix,
        System.Collections.Concurrent.ConcurrentDictionary<int, string> lines,
        System.Collections.Concurrent.ConcurrentDictionary<int, string> allConnected,
        System.Collections.Concurrent.ConcurrentDictionary<int, string> results)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            ToolAssembly(), "connections-worker", "--ports", ports, "--from", from.ToString(CultureInfo.InvariantCulture),
            "--count", count.ToString(CultureInfo.InvariantCulture), "--source", source,
            "--hold", hold.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--prefix", prefix,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("a worker did not start");
        process.OutputDataReceived += (_, e) =>
        {
            switch (e.Data?.Split(' ')[0])
            {
                case "CONNECTED":
                    lines[index] = e.Data;
                    break;
                case "ALL_CONNECTED":
                    lines[index] = e.Data;
                    allConnected[index] = e.Data;
                    break;
                case "RESULT":
                    results[index] = e.Data;
                    break;
            }
        };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>The tool's own dll, to start workers with (the built copy under tests/Load when run from a test).</summary>
    private static string ToolAssembly()
    {
        var built = Path.Combine(RepositoryPaths.Root, "tests", "Load", "bin", RepositoryPaths.Configuration, "net10.0", "SseVirtualization.Load.dll");
        return File.Exists(built) ? built : typeof(ConnectionsScenario).Assembly.Location;
    }

    private static long Sum(System.Collections.Concurrent.ConcurrentDictionary<int, string> lines, int field) =>
        lines.Values.Sum(l => long.Parse(l.Split(' ')[field], CultureInfo.InvariantCulture));

    private static Task<BaselineProcess> StartKestrelBaselineAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan heartbeat) =>
        BaselineProcess.StartAsync(
            "KestrelSse",
            ["--heartbeat", heartbeat.TotalSeconds.ToString(CultureInfo.InvariantCulture)],
            environment.Where(e => e.Key.StartsWith("DOTNET_", StringComparison.Ordinal)).ToDictionary(),
            async baseAddress => (await HealthPolls.GetAsync(new Uri(baseAddress, "connections"))).IsSuccessStatusCode);

    private static async Task<long> OpenOnKestrelAsync(BaselineProcess kestrel) =>
        long.Parse(await HealthPolls.GetStringAsync(new Uri(kestrel.BaseAddress, "connections")), CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double PerStream(long afterKiB, long beforeKiB, long streams) =>
        streams == 0 ? 0 : Math.Round((afterKiB - beforeKiB) / (double)streams, 2);

    private static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static async Task WaitForSilosAsync(HttpClient http, int count) =>
        await Eventually.UntilAsync(
            async () =>
            {
                var health = await http.GetFromJsonAsync<JsonElement>("admin/health");
                return health.GetProperty("cluster").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == count;
            },
            $"{count} active silos",
            TimeSpan.FromMinutes(2));

    // One client for every poll of every silo: a client per poll left a socket per poll in TIME_WAIT.
    private static readonly HttpClient HealthPolls = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<long> LocalConnectionsAsync(SiloProcess silo)
    {
        var health = await HealthPolls.GetFromJsonAsync<JsonElement>(new Uri(silo.BaseAddress, "admin/health"));
        var self = health.GetProperty("cluster").EnumerateArray().First(s => s.TryGetProperty("self", out var me) && me.GetBoolean());
        return self.TryGetProperty("connections", out var connections) && connections.ValueKind == JsonValueKind.Number ? connections.GetInt64() : -1;
    }
}

internal sealed record ConnectionsResult(long Connected, long Failed, long WithHeartbeat, long ClosedEarly, long HeldBySilos, long WarmUpStreams, long HeldByBaseline);

/// <summary>A process that holds streams in the scenario: a silo, or the bare Kestrel baseline.</summary>
internal sealed record StreamServer(string Name, int Pid, int HttpPort, Func<Task<long>> OpenStreamsAsync);
