using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using SseVirtualization.Clients;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Grains.Hosting;

namespace SseVirtualization.Grains.Tests.Clients;

[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class ClientEventLogTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task A_busy_log_keeps_only_its_recent_segments_in_memory_yet_knows_older_results_and_replays_them()
    {
        var services = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var grainId = GrainId.Create("test-log", Guid.NewGuid().ToString("N"));
        const int segmentSize = 4;
        var log = new ClientEventLog(storage, grainId, segmentSize, () => throw new InvalidOperationException("no one else writes this log"));
        await log.OpenAsync(0);

        const int events = 20 * segmentSize;
        for (var id = 1; id <= events; id++)
        {
            await log.AppendAsync(new StoredEvent(new ClientEvent(id, ClientEventTypes.FunctionResponse, "{}", DateTimeOffset.UtcNow, $"r{id}"), DeliveredLive: true));
            Assert.True(log.LoadedSegmentCount <= ClientEventLog.RecentSegmentsKept + 1, $"{log.LoadedSegmentCount} segments held after event {id}");
        }

        // A repeated request is still recognised after its result's segment left memory.
        Assert.True(log.HasResultFor("r1"));
        Assert.False(log.HasResultFor("never-sent"));

        // What is no longer held is still stored.
        var (replayed, truncated) = await log.ReadAfterAsync(0, 0, 1, DateTimeOffset.MinValue, int.MaxValue);
        Assert.False(truncated);
        Assert.Equal(Enumerable.Range(1, events).Select(i => (long)i), replayed.Select(e => e.Event.Id));
        Assert.True(log.HasResultFor($"r{events}"));
    }

    [Fact]
    public void Request_ids_are_remembered_for_the_most_recent_results_only()
    {
        const int capacity = 20;
        var recent = new RecentRequestIds(capacity);
        for (var i = 1; i <= capacity + 5; i++)
        {
            recent.Add($"r{i}");
        }

        Assert.All(Enumerable.Range(1, 5), i => Assert.False(recent.Contains($"r{i}"), $"r{i} is still remembered"));
        Assert.All(Enumerable.Range(6, capacity), i => Assert.True(recent.Contains($"r{i}"), $"r{i} is forgotten"));
        Assert.False(recent.Contains("never-sent"));
    }
}
