using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;
using SseVirtualization.Clients;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Streams;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// One SSE client: numbers its events, keeps the recent ones, and publishes each to the stream of every silo
/// that holds one of its connections. With no live connection the event waits here until the next connect.
/// </summary>
internal sealed partial class ClientGrain(
    [PersistentState("client", StorageNames.Grains)] IPersistentState<ClientState> state,
    IClusterMembershipService membership,
    IOptions<ClientOptions> options,
    TimeProvider time,
    ILogger<ClientGrain> logger)
    : Grain, IClientGrain
{
    public async Task<IReadOnlyList<ClientEvent>> ConnectAsync(string siloId, long? lastEventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(siloId);
        var current = state.State;
        current.Silos[siloId] = current.Silos.GetValueOrDefault(siloId) + 1;
        var after = lastEventId ?? current.SentThroughId;
        var backlog = current.Log.FindAll(e => e.Id > after);
        current.SentThroughId = current.LastEventId;
        await state.WriteStateAsync();
        return backlog;
    }

    public async Task DisconnectAsync(string siloId)
    {
        var silos = state.State.Silos;
        if (!silos.TryGetValue(siloId, out var count))
        {
            return;
        }

        if (count <= 1)
        {
            silos.Remove(siloId);
        }
        else
        {
            silos[siloId] = count - 1;
        }

        await state.WriteStateAsync();
    }

    public async Task<ClientEvent> PublishAsync(string type, string dataJson)
    {
        var current = state.State;
        ForgetDeadSilos(current.Silos);
        var clientEvent = new ClientEvent(current.LastEventId + 1, type, dataJson, time.GetUtcNow());
        current.LastEventId = clientEvent.Id;
        current.Log.Add(clientEvent);
        var overflow = current.Log.Count - options.Value.EventLogCapacity;
        if (overflow > 0)
        {
            current.Log.RemoveRange(0, overflow);
        }

        if (current.Silos.Count > 0)
        {
            current.SentThroughId = clientEvent.Id;
        }

        // Stored first, so an event is never delivered that a restart could forget.
        await state.WriteStateAsync();
        if (current.Silos.Count > 0)
        {
            await PublishToSilosAsync(current.Silos.Keys, clientEvent);
        }

        return clientEvent;
    }

    private async Task PublishToSilosAsync(IEnumerable<string> siloIds, ClientEvent clientEvent)
    {
        var provider = this.GetStreamProvider(StreamNames.Provider);
        var delivery = new SiloDelivery(this.GetPrimaryKeyString(), clientEvent);
        foreach (var siloId in siloIds)
        {
            var stream = provider.GetStream<SiloDelivery>(StreamId.Create(StreamNames.SiloNamespace, siloId));
            await stream.OnNextAsync(delivery);
        }
    }

    private void ForgetDeadSilos(Dictionary<string, int> silos)
    {
        if (silos.Count == 0)
        {
            return;
        }

        var snapshot = membership.CurrentSnapshot;
        List<string>? dead = null;
        foreach (var siloId in silos.Keys)
        {
            if (snapshot.GetSiloStatus(SiloAddress.FromParsableString(siloId)) == SiloStatus.Dead)
            {
                (dead ??= []).Add(siloId);
            }
        }

        if (dead is null)
        {
            return;
        }

        var clientId = this.GetPrimaryKeyString();
        foreach (var siloId in dead)
        {
            silos.Remove(siloId);
            LogDeadSiloForgotten(logger, clientId, siloId);
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Client {ClientId}: silo {SiloId} is dead, its connections are forgotten")]
    private static partial void LogDeadSiloForgotten(ILogger logger, string clientId, string siloId);
}
