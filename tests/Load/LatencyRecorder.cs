namespace SseVirtualization.Load;

/// <summary>Collects latencies (ms) from many tasks and reports percentiles.</summary>
internal sealed class LatencyRecorder
{
    private readonly Lock _gate = new();
    private readonly List<double> _samples = [];

    public void Record(double milliseconds)
    {
        lock (_gate)
        {
            _samples.Add(milliseconds);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _samples.Count;
            }
        }
    }

    public LatencySummary Summarize()
    {
        double[] sorted;
        lock (_gate)
        {
            sorted = [.. _samples];
        }

        Array.Sort(sorted);
        return new LatencySummary(
            sorted.Length,
            At(sorted, 0.50),
            At(sorted, 0.90),
            At(sorted, 0.99),
            sorted.Length == 0 ? 0 : sorted[^1]);
    }

    /// <summary>The latency at each percentile from 1 to 99, and 99.9: the points of a percentile plot.</summary>
    public IReadOnlyList<(double Percentile, double Milliseconds)> Percentiles()
    {
        double[] sorted;
        lock (_gate)
        {
            sorted = [.. _samples];
        }

        Array.Sort(sorted);
        return [.. Enumerable.Range(1, 99).Select(p => (p / 1.0, At(sorted, p / 100.0))), (99.9, At(sorted, 0.999))];
    }

    private static double At(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)], 3);
}

internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max);
