using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// A function's invocation counts and recent latencies, kept by the runtime of its grain activation (they start
/// again when the grain is activated elsewhere; long-term figures are the <c>sse.function.*</c> metrics).
/// Thread-safe: calls record concurrently.
/// </summary>
internal sealed class FunctionStatisticsRecorder(DateTimeOffset since)
{
    private const int Window = 1024;
    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly double[] _latencies = new double[Window];
    private readonly Lock _gate = new();
    private long _invocations;
    private long _retries;
    private int _recorded;

    public DateTimeOffset Since { get; } = since;

    public void Record(InvocationResult result)
    {
        lock (_gate)
        {
            _invocations++;
            var outcome = FunctionTelemetry.OutcomeName(result.Outcome);
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
            _latencies[_recorded++ % Window] = result.DurationMs;
        }
    }

    public void RecordRetry() => Interlocked.Increment(ref _retries);

    public FunctionStatistics Snapshot()
    {
        lock (_gate)
        {
            var count = Math.Min(_recorded, Window);
            var sorted = _latencies.AsSpan(0, count).ToArray();
            Array.Sort(sorted);
            return new FunctionStatistics(
                _invocations,
                new Dictionary<string, long>(_outcomes, StringComparer.Ordinal),
                Interlocked.Read(ref _retries),
                count == 0 ? null : Percentile(sorted, 0.50),
                count == 0 ? null : Percentile(sorted, 0.99));
        }
    }

    /// <summary>The counts and the recent durations as they are, for adding up across silos (<see cref="FunctionStatusMerge"/>).</summary>
    public FunctionUsage Usage(IReadOnlyList<EndpointStatus> endpoints)
    {
        lock (_gate)
        {
            return new FunctionUsage(
                _invocations,
                new Dictionary<string, long>(_outcomes, StringComparer.Ordinal),
                Interlocked.Read(ref _retries),
                _latencies.AsSpan(0, Math.Min(_recorded, Window)).ToArray(),
                endpoints,
                Since);
        }
    }

    public static double Percentile(double[] sorted, double quantile) =>
        Math.Round(sorted[(int)Math.Ceiling(quantile * sorted.Length) - 1], 3);
}
