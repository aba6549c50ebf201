namespace SseVirtualization.Streams;

/// <summary>
/// Hands client events to the connections this silo holds, on the caller's thread and without a message: what the
/// delivery channel's subscriber does on arrival, for a client grain that lives on the silo holding its connections
/// (the usual case: client grains are placed where their stream opens). Registered by the front end a silo hosts;
/// a silo without one delivers through the channel only.
/// </summary>
public interface ILocalDelivery
{
    /// <summary>This silo's id, as client grains record the silos holding their connections.</summary>
    string SiloId { get; }

    /// <summary>Queues the event on this silo's connections of its client; never blocks, never throws for a client with none.</summary>
    void Deliver(SiloDelivery delivery);
}
