using SseVirtualization.Clients;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// How one stream is recorded in its client's grain: by its connection id (<see cref="IClientGrain.OpenConnectionAsync"/>),
/// or, while the grain is active on a silo of an earlier release, by a count per silo (<see cref="IClientGrain.ConnectAsync"/>).
/// </summary>
/// <remarks>
/// A silo of an earlier release cannot read a call to a method it does not have: it answers with a
/// <see cref="TypeLoadException"/> naming the unknown invokable, before Orleans' interface versioning is consulted. That
/// answer is the signal to use the older methods, during a rolling upgrade only.
/// </remarks>
internal sealed class ClientRegistration(IClientGrain grain, string siloId, string connectionId)
{
    private bool _counted;

    public async Task<EventBatch> OpenAsync(long? lastEventId)
    {
        try
        {
            return await grain.OpenConnectionAsync(siloId, connectionId, lastEventId);
        }
        catch (TypeLoadException)
        {
            _counted = true;
            return await grain.ConnectAsync(siloId, lastEventId);
        }
    }

    public async Task CloseAsync(long lastWrittenId)
    {
        if (!_counted)
        {
            try
            {
                await grain.CloseConnectionAsync(siloId, connectionId, lastWrittenId);
                return;
            }
            catch (TypeLoadException)
            {
                // The grain moved to a silo of the earlier release since the open; its count includes this connection.
            }
        }

        await grain.DisconnectAsync(siloId, lastWrittenId);
    }
}
