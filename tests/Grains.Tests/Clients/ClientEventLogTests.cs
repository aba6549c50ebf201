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
        var recent = new RecentIds(capacity);
        for (var i = 1; i <= capacity + 5; i++)
        {
            recent.Add($"r{i}");
        }

        Assert.All(Enumerable.Range(1, 5), i => Assert.False(recent.Contains($"r{i}"), $"r{i} is still remembered"));
        Assert.All(Enumerable.Range(6, capacity), i => Assert.True(recent.Contains($"r{i}"), $"r{i} is forgotten"));
        Assert.False(recent.Contains("never-sent"));
    }

    [Fact]
    public async Task A_log_over_its_bytes_evicts_old_segments_then_the_heads_oldest_events_and_replays_the_newest_in_order()
    {
        var (log, storage, grainId) = await NewLogAsync(segmentSize: 4, maxBytes: 1000);

        for (var id = 1; id <= 30; id++)
        {
            await log.AppendAsync(Sized(id, 100));
            Assert.True(log.Bytes <= 1000, $"{log.Bytes} bytes kept after event {id}");
        }

        // Ten events of 100 bytes fit; whole segments of 4 leave first, so between 7 and 10 are kept.
        Assert.InRange(log.Bytes, 700, 1000);
        await log.DeleteBeforeAsync(0, log.EvictedBefore);
        var (kept, _) = await log.ReadAfterAsync(0, log.EvictedBefore, 1, DateTimeOffset.MinValue, int.MaxValue);
        var ids = kept.Select(e => e.Event.Id).ToList();
        Assert.Equal(30, ids[^1]);
        Assert.Equal(Enumerable.Range((int)ids[0], ids.Count).Select(i => (long)i), ids);
        Assert.Equal(log.Bytes, kept.Sum(ClientEventLog.SizeOf));

        // Evicted segments are deleted from storage, not just skipped.
        var first = new GrainState<ClientLogSegment>(new ClientLogSegment());
        await storage.ReadStateAsync("client-log-0", grainId, first);
        Assert.False(first.RecordExists);
    }

    [Fact]
    public async Task A_single_event_larger_than_the_bound_is_kept_alone_and_leaves_with_the_next()
    {
        var (log, _, _) = await NewLogAsync(segmentSize: 4, maxBytes: 1000);
        await log.AppendAsync(Sized(1, 100));
        await log.AppendAsync(Sized(2, 5000));
        Assert.Equal(5000, log.Bytes);
        var (kept, _) = await log.ReadAfterAsync(0, 0, 1, DateTimeOffset.MinValue, int.MaxValue);
        Assert.Equal([2L], kept.Select(e => e.Event.Id));

        await log.AppendAsync(Sized(3, 100));
        Assert.Equal(100, log.Bytes);
        (kept, _) = await log.ReadAfterAsync(0, 0, 1, DateTimeOffset.MinValue, int.MaxValue);
        Assert.Equal([3L], kept.Select(e => e.Event.Id));
    }

    [Fact]
    public async Task A_reopened_log_counts_the_bytes_it_holds_from_its_record_and_its_head()
    {
        var segmentBytes = new Dictionary<long, long>();
        var (log, storage, grainId) = await NewLogAsync(segmentSize: 4, maxBytes: 1000, segmentBytes);
        for (var id = 1; id <= 14; id++)
        {
            await log.AppendAsync(Sized(id, 100));
        }

        var reopened = new ClientEventLog(storage, grainId, 4, () => throw new InvalidOperationException("no one else writes this log"), 1000, new Dictionary<long, long>(segmentBytes));
        await reopened.OpenAsync(log.HeadIndex);
        Assert.Equal(log.Bytes, reopened.Bytes);

        // A record written before the head moved on (a crash between the two) is caught up from the segments found.
        var stale = new Dictionary<long, long>(segmentBytes);
        stale.Remove(log.HeadIndex - 1);
        var caughtUp = new ClientEventLog(storage, grainId, 4, () => throw new InvalidOperationException("no one else writes this log"), 1000, stale);
        await caughtUp.OpenAsync(log.HeadIndex - 1);
        Assert.Equal(log.Bytes, caughtUp.Bytes);
    }

    private static StoredEvent Sized(long id, int bytes) =>
        new(new ClientEvent(id, ClientEventTypes.FunctionResponse, new string('x', bytes), DateTimeOffset.UtcNow, $"r{id}"), DeliveredLive: true);

    private async Task<(ClientEventLog Log, IGrainStorage Storage, GrainId GrainId)> NewLogAsync(
        int segmentSize, long maxBytes, Dictionary<long, long>? segmentBytes = null)
    {
        var services = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var grainId = GrainId.Create("test-log", Guid.NewGuid().ToString("N"));
        var log = new ClientEventLog(storage, grainId, segmentSize, () => throw new InvalidOperationException("no one else writes this log"), maxBytes, segmentBytes);
        await log.OpenAsync(0);
        return (log, storage, grainId);
    }
}
