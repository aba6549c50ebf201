using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// Graceful shutdown of the front end: once the host starts stopping, new streams are refused (503 with
/// Retry-After) and every open stream gets a <c>reconnect</c> event with a short <c>retry:</c> and is closed,
/// so clients move to another silo (and resume with Last-Event-ID) instead of waiting for a timeout.
/// </summary>
internal sealed partial class Draining(LocalConnections connections, IOptions<GatewayOptions> options, TimeProvider time, ILogger<Draining> logger)
{
    private volatile bool _isDraining;

    public bool IsDraining => _isDraining;

    public void Begin()
    {
        _isDraining = true;
        var count = connections.Count;
        var farewell = new OutgoingEvent(0, ClientEventTypes.Reconnect, SseFrames.Reconnect(time.GetUtcNow()), options.Value.ShutdownReconnectDelay);
        connections.CloseAll(farewell);
        LogDraining(logger, count);
    }
}
