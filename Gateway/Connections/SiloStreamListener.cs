using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// Subscribes once to this silo's delivery stream and hands each event to the local connections of its
/// client. Unsubscribes at shutdown so no stale subscription outlives the silo.
/// </summary>
internal sealed partial class SiloStreamListener(
    IClusterClient cluster, SiloIdentity silo, LocalConnections connections, ILogger<SiloStreamListener> logger)
    : IHostedService
{
    private StreamSubscriptionHandle<SiloDelivery>? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = cluster.GetStreamProvider(StreamNames.Provider)
            .GetStream<SiloDelivery>(StreamId.Create(StreamNames.SiloNamespace, silo.Id));
        _subscription = await stream.SubscribeAsync(OnNextAsync);
        LogSubscribed(logger, silo.Id);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is null)
        {
            return;
        }

        try
        {
            await _subscription.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnsubscribeFailed(logger, ex, silo.Id);
        }
    }

    private Task OnNextAsync(SiloDelivery delivery, StreamSequenceToken? token)
    {
        connections.Deliver(delivery.ClientId, delivery.Event, delivery.TraceParent);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Listening for client events on the stream of silo {SiloId}")]
    private static partial void LogSubscribed(ILogger logger, string siloId);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Could not unsubscribe from the stream of silo {SiloId}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string siloId);
}
