using Orleans.BroadcastChannel;
using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Connections;

/// <summary>Receives the client events meant for this silo's connections (key: the silo's id).</summary>
public interface ISiloDeliveryGrain : IGrainWithStringKey;

/// <summary>
/// The one subscriber per silo of the <see cref="StreamNames.DeliveryChannel"/> broadcast channel: bound to the silo
/// its key names, it hands each event to that silo's local connections of the client. Events are pushed to it, so
/// an event reaches the socket one message after the client grain stored it. A client grain on the same silo skips it
/// and hands its events over directly (<see cref="ILocalDelivery"/>).
/// </summary>
[SiloBoundPlacement]
[ImplicitChannelSubscription(StreamNames.SiloNamespace)]
internal sealed class SiloDeliveryGrain(ILocalDelivery local) : Grain, ISiloDeliveryGrain, IOnBroadcastChannelSubscribed
{
    public Task OnSubscribed(IBroadcastChannelSubscription streamSubscription)
    {
        ArgumentNullException.ThrowIfNull(streamSubscription);
        streamSubscription.Attach<SiloDelivery>(OnPublished, _ => Task.CompletedTask);
        return Task.CompletedTask;
    }

    private Task OnPublished(SiloDelivery delivery)
    {
        local.Deliver(delivery);
        return Task.CompletedTask;
    }
}
