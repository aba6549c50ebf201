using Orleans.Storage;
using SseVirtualization.Clients;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// A client's event log stored as fixed-size segments, each its own storage record: appending an event
/// rewrites only the newest segment (at most <c>segmentSize</c> events), never the whole log. Changes are
/// undone in memory when a write fails, so memory never runs ahead of storage.
/// The log is also bounded in bytes (<paramref name="maxBytes"/>, the UTF-8 bytes of the events' data): past it, whole
/// segments behind the head leave first (<see cref="EvictedBefore"/>, for the grain to delete), then the head's oldest
/// events, which costs nothing more since the head is rewritten with each event anyway. The newest event always stays,
/// however large. A reader resuming from an evicted id finds a hole before what is kept, which it reports as a gap.
/// </summary>
/// <param name="storage">The grain storage provider holding the segments.</param>
/// <param name="grainId">The client grain the log belongs to.</param>
/// <param name="segmentSize">Events per segment.</param>
/// <param name="onConflict">
/// Called when a write finds the stored segment changed by someone else (a second activation of the grain
/// during a silo failure): this activation's view is stale and must be dropped.
/// </param>
/// <param name="maxBytes">Most bytes of event data the log keeps.</param>
/// <param name="segmentBytes">
/// The bytes of each stored segment behind the head, by index, kept up to date here and stored with the client's record
/// (<see cref="ClientState.SegmentBytes"/>) so the bound needs no read of old segments. A segment missing from it (one
/// stored before logs had a byte bound) counts as none, and leaves by the count bound or with a newer one.
/// </param>
internal sealed partial class ClientEventLog(
    IGrainStorage storage, GrainId grainId, int segmentSize, Action onConflict, long maxBytes = long.MaxValue, Dictionary<long, long>? segmentBytes = null)
{
    private readonly Dictionary<long, GrainState<ClientLogSegment>> _loaded = [];
    private readonly RecentIds _recentResults = new(RecentResultsKept);
    private readonly Dictionary<long, long> _segmentBytes = segmentBytes ?? [];
    private long _olderBytes; // the sum of _segmentBytes
    private long _headBytes;

    /// <summary>Bytes of event data the log holds: its stored segments behind the head, and the head.</summary>
    public long Bytes => _olderBytes + _headBytes;

    /// <summary>Segments before this one have left the log for its byte bound: they are to be deleted.</summary>
    public long EvictedBefore { get; private set; }

    /// <summary>The bytes an event counts for: its data as stored (UTF-8), the part that can be large.</summary>
    public static long SizeOf(StoredEvent stored) => System.Text.Encoding.UTF8.GetByteCount(stored.Event.DataJson);

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
        foreach (var (index, segment) in _loaded)
        {
            long bytes = 0;
            foreach (var stored in segment.State!.Events)
            {
                RememberResult(stored);
                bytes += SizeOf(stored);
            }

            if (index == HeadIndex)
            {
                _headBytes = bytes;
            }
            else
            {
                // A segment written after the client's record was last written is not in it yet.
                _segmentBytes.TryAdd(index, bytes);
            }
        }

        foreach (var (_, bytes) in _segmentBytes)
        {
            _olderBytes += bytes;
        }
    }

    /// <summary>
    /// Appends an event, evicts what the byte bound no longer allows, and persists the head. Returns <c>true</c> when a
    /// new head segment was started.
    /// </summary>
    public async Task<bool> AppendAsync(StoredEvent stored)
    {
        var rolled = false;
        var previousHeadBytes = _headBytes;

        // By id, not by the head's count: the byte bound may have taken the head's oldest events out.
        if (SegmentOf(LastEventId + 1) > HeadIndex)
        {
            var next = new GrainState<ClientLogSegment>(new ClientLogSegment { Pending = Head.Pending });
            _segmentBytes[HeadIndex] = _headBytes;
            _olderBytes += _headBytes;
            _headBytes = 0;
            _loaded[HeadIndex + 1] = next;
            HeadIndex++;
            rolled = true;
        }

        Head.Events.Add(stored);
        _headBytes += SizeOf(stored);
        var (evictedSegments, evictedEvents, previousEvictedBefore) = EvictOverBytes();
        try
        {
            await WriteHeadAsync();
        }
        catch
        {
            Head.Events.RemoveAt(Head.Events.Count - 1);
            Head.Events.InsertRange(0, evictedEvents);
            foreach (var (index, bytes) in evictedSegments)
            {
                _segmentBytes[index] = bytes;
                _olderBytes += bytes;
            }

            EvictedBefore = previousEvictedBefore;
            _headBytes = previousHeadBytes;
            if (rolled)
            {
                var abandoned = Head.Pending;
                _loaded.Remove(HeadIndex);
                HeadIndex--;
                Head.Pending = abandoned;
                _olderBytes -= _segmentBytes[HeadIndex];
                _segmentBytes.Remove(HeadIndex);
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

    /// <summary>
    /// Takes out what the byte bound no longer allows, oldest first: whole segments behind the head, then the head's
    /// oldest events but never its newest. Returns what was taken, so a failed write can put it back.
    /// </summary>
    private (List<(long Index, long Bytes)> Segments, List<StoredEvent> Events, long PreviousEvictedBefore) EvictOverBytes()
    {
        var previousEvictedBefore = EvictedBefore;
        List<(long, long)> segments = [];
        List<StoredEvent> events = [];
        while (Bytes > maxBytes && _segmentBytes.Count > 0)
        {
            var oldest = long.MaxValue;
            foreach (var (index, _) in _segmentBytes)
            {
                oldest = Math.Min(oldest, index);
            }

            var bytes = _segmentBytes[oldest];
            _segmentBytes.Remove(oldest);
            _olderBytes -= bytes;
            segments.Add((oldest, bytes));
            EvictedBefore = Math.Max(EvictedBefore, oldest + 1);
        }

        var head = Head.Events;
        var taken = 0;
        while (Bytes > maxBytes && head.Count - taken > 1)
        {
            _headBytes -= SizeOf(head[taken]);
            taken++;
        }

        if (taken > 0)
        {
            events.AddRange(head.GetRange(0, taken));
            head.RemoveRange(0, taken);
        }

        return (segments, events, previousEvictedBefore);
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
            await DeleteAsync(index, segment);
        }
    }

    private async Task DeleteAsync(long index, GrainState<ClientLogSegment> segment)
    {
        if (segment.RecordExists)
        {
            await storage.ClearStateAsync(StateName(index), grainId, segment);
        }

        _loaded.Remove(index);
        if (_segmentBytes.Remove(index, out var bytes))
        {
            _olderBytes -= bytes;
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
