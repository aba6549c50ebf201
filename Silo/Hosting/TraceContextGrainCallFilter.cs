using System.Diagnostics;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Carries the current trace across every grain call, recorded or not. Orleans' own propagation only sends the
/// context of a span it made, and OpenTelemetry makes none under an unsampled local parent (nor at all when spans
/// are not recorded): the grain, and the function it calls, then started a trace of their own. When Orleans did
/// make a span, it runs first and its span is the current one here: it has sent this context already.
/// </summary>
internal sealed class TraceContextGrainCallFilter(DistributedContextPropagator propagator) : IOutgoingGrainCallFilter
{
    private const string TraceParent = "traceparent";

    public Task Invoke(IOutgoingGrainCallContext context) =>
        Activity.Current is { } current && !Equals(RequestContext.Get(TraceParent), current.Id)
            ? InvokeInTraceAsync(context, current)
            : context.Invoke();

    // Async on purpose: the request context set here belongs to this call and is gone when it returns.
    private async Task InvokeInTraceAsync(IOutgoingGrainCallContext context, Activity current)
    {
        propagator.Inject(current, null, static (_, key, value) => RequestContext.Set(key, value));
        await context.Invoke();
    }
}
