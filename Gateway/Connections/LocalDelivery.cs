using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Connections;

/// <summary>This silo's connections as the target of client events: for the channel's subscriber and for client grains on this silo.</summary>
internal sealed class LocalDelivery(LocalConnections connections, SiloIdentity silo) : ILocalDelivery
{
    public string SiloId => silo.Id;

    public void Deliver(SiloDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        connections.Deliver(delivery.ClientId, delivery.Event, delivery.TraceParent);
    }
}
