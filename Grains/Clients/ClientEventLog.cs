using Orleans.Storage;
using SseVirtualization.Clients;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// A client's event log stored as fixed-size segments, each its own storage record: appending an event
/// rewrites only the newest segment (at most <c>segmentSize</c> events), never the whole log. Changes are
/// undone in memory when a write fails, so memory never runs ahead of storage.
/// </summary>
/// <param name="storage">The grain storage provider holding the segments.</param>
/// <param name="grainId">The client grain the log belongs to.</param>
/// <param name="segmentSize">Events per segment.</param>
/// <param name="onConflict">
/// Called when a write finds the stored segment changed by someone else (a second activation of the grain
/// during a silo failure): this activation's view is stale and must be dropped.
/// </param>
internal sealed class ClientEventLog(IGrainStorage storage, GrainId grainId, int segmentSize, Action onConflict)
{
    private readonly Dictionary<long, GrainState<ClientLogSegment>> _loaded = [];
    private readonly RecentRequestIds _recentResults = new(RecentResultsKept);

    public long HeadIndex { get; private set; }

    public long LastEventId { get; private set; }

    /// <summary>The newest segment: it takes new events and holds the pending invocations.</summary>
    public ClientLogSegment Head => _loaded[HeadIndex].State!;

    public long SegmentOf(long eventId) => (eventId - 1) / segmentSize;

    /// <summary>Loads the head segment, following any newer segment written after the head was last recorded.</summary>
    public async Task OpenAsync(long recordedHead)
    {
        HeadIndex = recordedHead;
        await LoadAsync(HeadIndex);
        while (true)
        {
            var next = await ReadAsync(HeadIndex + 1);
            if (!next.RecordExists)
            {
                break;
            }

            _loaded[HeadIndex + 1] = next;
            HeadIndex++;
        }

        LastEventId = Head.Events.Count > 0 ? Head.Events[^1].Event.Id : HeadIndex * segmentSize;
        // Pairs, not Values or Keys: those are objects of their own that the dictionary keeps for the life of the grain.
        foreach (var (_, segment) in _loaded)
        {
            foreach (var stored in segment.State!.Events)
            {
                RememberResult(stored);
            }
        }
    }

    /// <summary>Appends an event and persists the head. Returns <c>true</c> when a new head segment was started.</summary>
    public async Task<bool> AppendAsync(StoredEvent stored)
    {
        var rolled = false;
        if (Head.Events.Count >= segmentSize)
        {
            var next = new GrainState<ClientLogSegment>(new ClientLogSegment { Pending = Head.Pending });
            _loaded[HeadIndex + 1] = next;
            HeadIndex++;
            rolled = true;
        }

        Head.Events.Add(stored);
        try
        {
            await WriteHeadAsync();
        }
        catch
        {
            Head.Events.RemoveAt(Head.Events.Count - 1);
            if (rolled)
            {
                var abandoned = Head.Pending;
                _loaded.Remove(HeadIndex);
                HeadIndex--;
                Head.Pending = abandoned;
            }

            throw;
        }

        LastEventId = stored.Event.Id;
        RememberResult(stored);
        if (rolled)
        {
            // Without this a busy client's activation kept every segment it wrote, up to the whole log.
            ForgetOldSegments();
        }

        return rolled;
    }

    /// <summary>Persists the head after a change to <see cref="ClientLogSegment.Pending"/>.</summary>
    public async Task WriteHeadAsync()
    {
        try
        {
            await storage.WriteStateAsync(StateName(HeadIndex), grainId, _loaded[HeadIndex]);
        }
        catch (InconsistentStateException)
        {
            onConflict();
            throw;
        }
    }

    /// <summary>
    /// Stored events with ids after <paramref name="afterId"/> that are still within the log's bounds, oldest first.
    /// Stops reading segments once more than <paramref name="enough"/> are found (<c>Truncated</c>).
    /// </summary>
    public async Task<(List<StoredEvent> Events, bool Truncated)> ReadAfterAsync(
        long afterId, long oldestSegment, long oldestAllowedId, DateTimeOffset notBefore, int enough)
    {
        var result = new List<StoredEvent>();
        var firstWanted = Math.Max(afterId + 1, Math.Max(oldestAllowedId, 1));
        if (firstWanted > LastEventId)
        {
            return (result, false);
        }

        for (var index = Math.Max(SegmentOf(firstWanted), oldestSegment); index <= HeadIndex; index++)
        {
            if (result.Count > enough)
            {
                return (result, true);
            }

            var segment = _loaded.TryGetValue(index, out var loaded) ? loaded : await LoadAsync(index);
            foreach (var stored in segment.State!.Events)
            {
                if (stored.Event.Id >= firstWanted && stored.Event.CreatedAt >= notBefore)
                {
                    result.Add(stored);
                }
            }
        }

        return (result, false);
    }

    /// <summary>Segments kept in memory behind the head, for replays of recent events; older ones are read when replayed.</summary>
    internal const int RecentSegmentsKept = 4;

    /// <summary>Results whose request ids are remembered (see <see cref="HasResultFor"/>), whether or not their segment is held.</summary>
    internal const int RecentResultsKept = 256;

    /// <summary>Segments this activation holds in memory, the head included.</summary>
    internal int LoadedSegmentCount => _loaded.Count;

    /// <summary>Drops loaded segments older than the recent ones, so a replay does not keep the whole log in memory.</summary>
    public void ForgetOldSegments()
    {
        foreach (var (index, _) in _loaded)
        {
            if (index < HeadIndex - RecentSegmentsKept)
            {
                _loaded.Remove(index); // Remove does not invalidate a Dictionary's enumerator (since .NET Core 3.0)
            }
        }
    }

    /// <summary>
    /// Whether a result for <paramref name="requestId"/> is among the last <see cref="RecentResultsKept"/> this activation
    /// wrote or found in the segments it opened with, or in a segment it holds.
    /// </summary>
    public bool HasResultFor(string requestId)
    {
        if (_recentResults.Contains(requestId))
        {
            return true;
        }

        foreach (var (_, segment) in _loaded)
        {
            foreach (var stored in segment.State!.Events)
            {
                if (string.Equals(stored.Event.RequestId, requestId, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void RememberResult(StoredEvent stored)
    {
        if (stored.Event.RequestId is { } requestId)
        {
            _recentResults.Add(requestId);
        }
    }

    /// <summary>Deletes stored segments before <paramref name="keepFrom"/>.</summary>
    public async Task DeleteBeforeAsync(long oldestSegment, long keepFrom)
    {
        for (var index = oldestSegment; index < keepFrom && index < HeadIndex; index++)
        {
            var segment = _loaded.TryGetValue(index, out var loaded) ? loaded : await ReadAsync(index);
            if (segment.RecordExists)
            {
                await storage.ClearStateAsync(StateName(index), grainId, segment);
            }

            _loaded.Remove(index);
        }
    }

    private async Task<GrainState<ClientLogSegment>> LoadAsync(long index)
    {
        var segment = await ReadAsync(index);
        _loaded[index] = segment;
        return segment;
    }

    private async Task<GrainState<ClientLogSegment>> ReadAsync(long index)
    {
        var segment = new GrainState<ClientLogSegment>(new ClientLogSegment());
        await storage.ReadStateAsync(StateName(index), grainId, segment);
        segment.State ??= new ClientLogSegment();
        return segment;
    }

    private static string StateName(long index) => $"client-log-{index}";
}
