namespace SseVirtualization.Load;

/// <summary>The rows of one <c>sync</c> run (every target, every round) and what they say side by side.</summary>
internal sealed record SyncRun(IReadOnlyList<ResultRow> Rows, int Rounds)
{
    /// <summary>The rows of one target, every round.</summary>
    public IReadOnlyList<ResultRow> Of(string target) =>
        Rows.Where(r => r.Target == target || r.Target.StartsWith(target + " #", StringComparison.Ordinal)).ToList();

    /// <summary>Per target: the median rate, p50, p99 and (where measured) CPU per call over the rounds.</summary>
    public Dictionary<string, Dictionary<string, double>> Summary()
    {
        var summary = new Dictionary<string, Dictionary<string, double>>();
        foreach (var target in new[] { SyncScenario.Direct, SyncScenario.NginxProxy, SyncScenario.Yarp, SyncScenario.Silo })
        {
            var rows = Of(target);
            if (rows.Count == 0)
            {
                continue;
            }

            var figures = new Dictionary<string, double>
            {
                ["rate"] = Median(rows.Select(r => r.RatePerSecond)),
                ["p50_ms"] = Median(rows.Select(r => r.Latency.P50)),
                ["p99_ms"] = Median(rows.Select(r => r.Latency.P99)),
                ["failed"] = rows.Sum(r => r.Failed),
            };
            var cpu = rows.Select(r => r.Extra?.GetValueOrDefault("server_cpu_us_per_call")).OfType<double>().ToList();
            if (cpu.Count > 0)
            {
                figures["cpu_us_per_call"] = Median(cpu);
            }

            summary[target] = figures;
        }

        return summary;
    }

    /// <summary>Throughput and CPU ratios between targets measured in this run (only those both measured).</summary>
    public IEnumerable<(string Label, double Value)> Ratios()
    {
        var summary = Summary();
        double? Of(string target, string figure) => summary.TryGetValue(target, out var f) && f.TryGetValue(figure, out var v) && v > 0 ? v : null;
        (string, string, string, string)[] pairs =
        [
            ("silo / YARP, throughput", SyncScenario.Silo, SyncScenario.Yarp, "rate"),
            ("silo / nginx as proxy, throughput", SyncScenario.Silo, SyncScenario.NginxProxy, "rate"),
            ("silo / stub directly, throughput", SyncScenario.Silo, SyncScenario.Direct, "rate"),
            ("YARP / nginx as proxy, throughput", SyncScenario.Yarp, SyncScenario.NginxProxy, "rate"),
            ("silo / YARP, CPU per call", SyncScenario.Silo, SyncScenario.Yarp, "cpu_us_per_call"),
            ("silo / nginx as proxy, CPU per call", SyncScenario.Silo, SyncScenario.NginxProxy, "cpu_us_per_call"),
        ];
        foreach (var (label, over, under, figure) in pairs)
        {
            if (Of(over, figure) is { } a && Of(under, figure) is { } b)
            {
                yield return (label, Math.Round(a / b, 3));
            }
        }
    }

    /// <summary>A row's calls per second, for <see cref="ByRound"/>.</summary>
    public static readonly Func<ResultRow, double?> Rate = row => row.RatePerSecond;

    /// <summary>A row's server CPU per call (µs), where measured, for <see cref="ByRound"/>.</summary>
    public static readonly Func<ResultRow, double?> CpuPerCall = row => row.Extra?.GetValueOrDefault("server_cpu_us_per_call");

    /// <summary>
    /// Per round, one target's figure over another's, both measured in that round: how far the rounds agree, which the
    /// ratio of medians does not show.
    /// </summary>
    public IReadOnlyList<double> ByRound(string over, string under, Func<ResultRow, double?> figure)
    {
        var ratios = new List<double>();
        for (var round = 1; round <= Rounds; round++)
        {
            if (FigureOf(over, round, figure) is { } a && FigureOf(under, round, figure) is { } b)
            {
                ratios.Add(Math.Round(a / b, 3));
            }
        }

        return ratios;
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private double? FigureOf(string target, int round, Func<ResultRow, double?> figure)
    {
        var name = Rounds > 1 ? $"{target} #{round}" : target;
        return Rows.FirstOrDefault(r => r.Target == name) is { } row && figure(row) is > 0 and var value ? value : null;
    }
}
