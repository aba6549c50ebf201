using System.Globalization;

namespace SseVirtualization.Load;

/// <summary>
/// <c>idle</c>: what a silo costs with nothing to do. One Redis-backed cluster per variant (<c>--variants</c>: settings
/// as <c>NAME=value</c> pairs joined by <c>,</c>, variants separated by <c>;</c>, an empty one for the defaults), started
/// one after another and then measured over one window, so they share the machine's moment; after <c>--settle</c> (the
/// JIT's tiering and startup work done) each silo's CPU and the Orleans grain calls it made are read over <c>--duration</c>.
/// </summary>
internal static class IdleScenario
{
    private const string GrainCallsCount = "orleans_app_requests_latency_milliseconds_count";

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(Options options)
    {
        var silos = options.Int("silos", 1);
        var settle = options.Seconds("settle", 120);
        var duration = options.Seconds("duration", 60);
        var variants = options.Text("variants", "").Split(';', StringSplitOptions.TrimEntries);

        var clusters = new List<LoadCluster>();
        try
        {
            foreach (var variant in variants)
            {
                clusters.Add(await LoadCluster.StartAsync("idle", silos, SiloEnvironment.Parse(variant).ToDictionary()));
            }

            Console.WriteLine($"{variants.Length} cluster(s) of {silos} silo(s) up; settling {settle.TotalSeconds} s, then measuring {duration.TotalSeconds} s");
            await Task.Delay(settle);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var all = clusters.SelectMany(c => c.Silos).ToList();
            var cpuBefore = all.Select(s => ProcessCpu.Seconds(s.Pid)).ToList();
            var callsBefore = await Task.WhenAll(all.Select(s => GrainCallsAsync(http, s.BaseAddress)));
            await Task.Delay(duration);
            var cpuAfter = all.Select(s => ProcessCpu.Seconds(s.Pid)).ToList();
            var callsAfter = await Task.WhenAll(all.Select(s => GrainCallsAsync(http, s.BaseAddress)));

            var rows = new List<ResultRow>();
            Console.WriteLine();
            Console.WriteLine($"{"variant",-40} {"CPU ms/s per silo",18} {"grain calls/s per silo",23}");
            for (var v = 0; v < variants.Length; v++)
            {
                var indexes = Enumerable.Range(v * silos, silos).ToList();
                var cpuMsPerSecond = Math.Round(indexes.Average(i => cpuAfter[i] - cpuBefore[i]) * 1000 / duration.TotalSeconds, 1);
                var callsPerSecond = Math.Round(indexes.Average(i => callsAfter[i] - callsBefore[i]) / duration.TotalSeconds, 1);
                var name = variants[v].Length == 0 ? "defaults" : variants[v];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {cpuMsPerSecond,18} {callsPerSecond,23}"));
                rows.Add(new ResultRow(name, 0, 0, 0, new LatencySummary(0, 0, 0, 0, 0),
                    new Dictionary<string, double> { ["cpu_ms_per_s_per_silo"] = cpuMsPerSecond, ["grain_calls_per_s_per_silo"] = callsPerSecond }));
            }

            await Report.WriteAsync("idle", rows, new() { ["silos"] = silos, ["settle_s"] = settle.TotalSeconds, ["duration_s"] = duration.TotalSeconds }, options.Text("out", null!), latencyTable: false);
            return rows;
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The grain calls a silo has made and had answered (Orleans times each at its caller), every series summed, from its
    /// Prometheus scrape (loopback needs no key). In an idle silo they are its own: its timers' calls.
    /// </summary>
    private static async Task<double> GrainCallsAsync(HttpClient http, Uri silo)
    {
        var text = await http.GetStringAsync(new Uri(silo, "metrics"));
        var series = text.Split('\n').Where(line => line.StartsWith(GrainCallsCount, StringComparison.Ordinal)).ToList();
        return series.Count > 0
            ? series.Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"{silo}metrics has no {GrainCallsCount}");
    }
}
