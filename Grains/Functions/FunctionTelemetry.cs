using System.Diagnostics;
using System.Diagnostics.Metrics;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>Spans and metrics of function calls (source and meter <c>SseVirtualization.Functions</c>).</summary>
internal sealed class FunctionTelemetry
{
    public const string Name = "SseVirtualization.Functions";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _invocations;
    private readonly Histogram<double> _duration;

    public FunctionTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _invocations = meter.CreateCounter<long>("sse.function.invocations", "{invocation}", "Function calls by function and outcome.");
        _duration = meter.CreateHistogram<double>("sse.function.invocation.duration", "s", "Time spent calling a function, by function and outcome.");
    }

    public void Record(InvocationResult result)
    {
        var tags = new TagList { { "function", result.Function }, { "outcome", OutcomeName(result.Outcome) } };
        _invocations.Add(1, tags);
        _duration.Record(result.DurationMs / 1000, tags);
    }

    public static string OutcomeName(InvocationOutcome outcome) => outcome switch
    {
        InvocationOutcome.Succeeded => "succeeded",
        InvocationOutcome.FunctionError => "function_error",
        InvocationOutcome.TimedOut => "timed_out",
        InvocationOutcome.Unreachable => "unreachable",
        InvocationOutcome.NotFound => "not_found",
        InvocationOutcome.Accepted => "accepted",
        InvocationOutcome.Abandoned => "abandoned",
        InvocationOutcome.Throttled => "throttled",
        InvocationOutcome.Interrupted => "interrupted",
        _ => "unknown",
    };
}
