using System.Diagnostics;

namespace SseVirtualization.Gateway.Connections;

/// <summary>The front end's spans (source <c>SseVirtualization.Gateway</c>).</summary>
internal static class GatewayTelemetry
{
    public const string SourceName = "SseVirtualization.Gateway";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A span for writing one live event to a client, in the trace that produced it (its context travels in
    /// the delivery message), so an invocation's trace ends where its result reaches the socket.
    /// </summary>
    public static Activity? StartDelivery(OutgoingEvent outgoing, string clientId)
    {
        if (outgoing.TraceParent is null || !ActivityContext.TryParse(outgoing.TraceParent, null, out var parent))
        {
            return null;
        }

        var activity = Source.StartActivity("sse deliver", ActivityKind.Producer, parent);
        activity?.SetTag("sse.client_id", clientId);
        activity?.SetTag("sse.event", outgoing.Type);
        activity?.SetTag("sse.event_id", outgoing.Id);
        return activity;
    }
}
