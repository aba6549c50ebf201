using OpenTelemetry.Trace;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Spans of a trace its caller did not sample (<c>traceparent</c> flag <c>00</c>) are made, with their data, but not
/// sampled: they carry the caller's trace id on through every hop (grain calls across silos, the call to the
/// function, still flagged unsampled) and are never exported. OpenTelemetry's default drops them, and a span that
/// is not made carries nothing on: the function then saw a trace id of its own.
/// </summary>
internal sealed class UnsampledTraceSampler : Sampler
{
    public static Sampler ForSilo { get; } = new ParentBasedSampler(
        new AlwaysOnSampler(),
        remoteParentNotSampled: new UnsampledTraceSampler(),
        localParentNotSampled: new UnsampledTraceSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => new(SamplingDecision.RecordOnly);
}
