using System.Collections.Concurrent;
using SseVirtualization.Streams;

namespace SseVirtualization.Grains.Tests;

/// <summary>Stands in for a silo's front end: keeps what client grains on its silo hand to its connections.</summary>
public sealed class RecordingLocalDelivery(ILocalSiloDetails silo) : ILocalDelivery
{
    public ConcurrentQueue<SiloDelivery> Delivered { get; } = new();

    public string SiloId { get; } = silo.SiloAddress.ToParsableString();

    public void Deliver(SiloDelivery delivery) => Delivered.Enqueue(delivery);
}
