namespace SseVirtualization.Grains.Clients;

/// <summary>
/// Deleting what the age bound hides. Segments behind the head leave whole, oldest first, once their newest event has
/// expired; the head loses its expired events, and when all of them have expired (and no invocation is pending) it is
/// replaced by an empty head after the end of its segment. Ids are derived from the head on activation, so the numbering
/// jumps to that segment's end rather than restart below ids a browser may still hold.
/// </summary>
internal sealed partial class ClientEventLog
{
    /// <summary>Whether the log holds no event at all (it may still hold pending invocations).</summary>
    public bool IsEmpty(long oldestSegment) => Head.Events.Count == 0 && oldestSegment >= HeadIndex;

    /// <summary>Whether every event of the head is older than <paramref name="notBefore"/> and nothing pending is in it.</summary>
    public bool HeadExpired(DateTimeOffset notBefore) =>
        Head.Events.Count > 0 && Head.Events[^1].Event.CreatedAt < notBefore && Head.Pending.Count == 0;

    /// <summary>
    /// Starts an empty head in the segment after the newest id's, in memory only: the caller records it before
    /// <see cref="DeleteExpiredAsync"/> deletes the old head, which is now an old segment like any other.
    /// Returns the newest id issued; ids after it up to the new <see cref="LastEventId"/> are never issued.
    /// </summary>
    public long StartEmptyHead()
    {
        var issued = LastEventId;
        _segmentBytes[HeadIndex] = _headBytes;
        _olderBytes += _headBytes;
        _headBytes = 0;
        HeadIndex = SegmentOf(issued) + 1;
        _loaded[HeadIndex] = new GrainState<ClientLogSegment>(new ClientLogSegment());
        LastEventId = HeadIndex * segmentSize;
        return issued;
    }

    /// <summary>
    /// Deletes the stored segments behind the head, from <paramref name="oldestSegment"/> on, whose events are all older
    /// than <paramref name="notBefore"/>; stops at the first one holding a newer event. Returns the oldest segment kept
    /// and the creation time of its newest event (the head's oldest event when only the head is left, null when the
    /// log is empty): when the sweep after next has something to delete.
    /// </summary>
    public async Task<(long OldestKept, DateTimeOffset? NextExpiring)> DeleteExpiredAsync(long oldestSegment, DateTimeOffset notBefore)
    {
        for (var index = oldestSegment; index < HeadIndex; index++)
        {
            var segment = _loaded.TryGetValue(index, out var loaded) ? loaded : await ReadAsync(index);
            var events = segment.State!.Events;
            if (events.Count > 0 && events[^1].Event.CreatedAt >= notBefore)
            {
                return (index, events[^1].Event.CreatedAt);
            }

            await DeleteAsync(index, segment);
        }

        return (HeadIndex, Head.Events.Count > 0 ? Head.Events[0].Event.CreatedAt : null);
    }

    /// <summary>
    /// Removes the head's events older than <paramref name="notBefore"/> and persists the head, keeping its newest event
    /// whatever its age: the head's last event is where the numbering goes on from.
    /// </summary>
    public async Task TrimHeadAsync(DateTimeOffset notBefore)
    {
        var events = Head.Events;
        var expired = 0;
        long bytes = 0;
        while (expired < events.Count - 1 && events[expired].Event.CreatedAt < notBefore)
        {
            bytes += SizeOf(events[expired]);
            expired++;
        }

        if (expired == 0)
        {
            return;
        }

        var taken = events.GetRange(0, expired);
        events.RemoveRange(0, expired);
        _headBytes -= bytes;
        try
        {
            await WriteHeadAsync();
        }
        catch
        {
            events.InsertRange(0, taken);
            _headBytes += bytes;
            throw;
        }
    }
}
