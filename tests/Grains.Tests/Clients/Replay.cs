using SseVirtualization.Clients;

namespace SseVirtualization.Grains.Tests.Clients;

/// <summary>Reads a replay to its end, page by page, as a connection does.</summary>
internal static class Replay
{
    public static async Task<List<ClientEvent>> ReadAllAsync(IClientGrain client, EventBatch first)
    {
        var events = new List<ClientEvent>(first.Events);
        var batch = first;
        while (batch.More)
        {
            batch = await client.GetEventsAfterAsync(events[^1].Id);
            events.AddRange(batch.Events);
        }

        return events;
    }
}
