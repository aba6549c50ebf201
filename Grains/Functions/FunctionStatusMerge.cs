using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// A function's status for the whole cluster: its grain's (health checks, the limit's queue) with the calls every silo
/// ran itself added in (<see cref="ILocalFunctionCalls"/>).
/// </summary>
internal static class FunctionStatusMerge
{
    /// <param name="own">The grain's status.</param>
    /// <param name="ownUsage">The grain's own calls, as <paramref name="silos"/> report theirs.</param>
    /// <param name="silos">What each silo's local calls count; a silo that did not answer is left out.</param>
    public static FunctionStatus With(FunctionStatus own, FunctionUsage ownUsage, IReadOnlyList<FunctionUsage> silos)
    {
        if (silos.Count == 0)
        {
            return own;
        }

        var all = silos.Prepend(ownUsage).ToList();
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (outcome, count) in all.SelectMany(u => u.Outcomes))
        {
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + count;
        }

        var latencies = all.SelectMany(u => u.RecentLatenciesMs).ToArray();
        Array.Sort(latencies);
        var statistics = new FunctionStatistics(
            all.Sum(u => u.Invocations),
            outcomes,
            all.Sum(u => u.Retries),
            latencies.Length == 0 ? null : FunctionStatisticsRecorder.Percentile(latencies, 0.50),
            latencies.Length == 0 ? null : FunctionStatisticsRecorder.Percentile(latencies, 0.99));
        var endpoints = own.Endpoints.Select(endpoint =>
        {
            var elsewhere = silos.SelectMany(u => u.Endpoints).Where(e => e.Url == endpoint.Url).ToList();
            return endpoint with
            {
                Outstanding = endpoint.Outstanding + elsewhere.Sum(e => e.Outstanding),
                Circuit = elsewhere.Select(e => e.Circuit).Prepend(endpoint.Circuit).MaxBy(Severity)!,
            };
        }).ToList();
        var inFlightElsewhere = silos.SelectMany(u => u.Endpoints).Sum(e => e.Outstanding);
        // The figures count from the earliest of them: a silo may have counted since before the grain's activation.
        var since = silos.Select(u => u.Since).Append(own.Since).Min();
        return own with { Endpoints = endpoints, Statistics = statistics, InFlight = own.InFlight + inFlightElsewhere, Since = since };
    }

    /// <summary>An endpoint's circuit across silos is the worst any silo has: one open breaker is worth seeing.</summary>
    private static int Severity(string circuit) => circuit switch
    {
        "open" => 3,
        "half_open" => 2,
        "closed" => 1,
        _ => 0,
    };
}
