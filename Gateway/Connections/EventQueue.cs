using System.Threading.Tasks.Sources;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// The bounded queue of one connection's outgoing events: many writers, one reader. Not a <c>BoundedChannel</c>: a
/// stream waits on its queue for hours, and a bounded channel with the iterator that reads it kept ~1.2 KB per idle
/// stream (its deque, blocked-reader and blocked-writer operations, two waiting-reader objects, the iterator), about a
/// twentieth of all a stream costs a silo. This queue holds its oldest event in a field (most streams never have more
/// than one waiting), the rest in a <see cref="Queue{T}"/> made when needed and dropped when emptied, and has one reusable waiter.
/// </summary>
internal sealed class EventQueue(int capacity) : IValueTaskSource<bool>
{
    private readonly Lock _lock = new();

    // Continuations run on the thread pool: a writer (a delivery, the heartbeat timer) must never run the stream's writer.
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private OutgoingEvent _oldest;
    private bool _hasOldest;
    private Queue<OutgoingEvent>? _newer;
    private bool _readerWaiting;
    private bool _completed;

    /// <summary>Events waiting to be read.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return CountUnlocked;
            }
        }
    }

    private int CountUnlocked => (_hasOldest ? 1 : 0) + (_newer?.Count ?? 0);

    /// <summary>Queues an event; <c>false</c> when the queue is full or completed.</summary>
    public bool TryWrite(OutgoingEvent item)
    {
        lock (_lock)
        {
            if (_completed || CountUnlocked >= capacity)
            {
                return false;
            }

            if (_hasOldest)
            {
                (_newer ??= new Queue<OutgoingEvent>()).Enqueue(item);
            }
            else
            {
                (_oldest, _hasOldest) = (item, true);
            }

            WakeReader(true);
            return true;
        }
    }

    /// <summary>Accepts no more events; the reader still reads those queued. <c>false</c> when it was already completed.</summary>
    public bool TryComplete()
    {
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            WakeReader(false);
            return true;
        }
    }

    public bool TryRead(out OutgoingEvent item)
    {
        lock (_lock)
        {
            item = _oldest;
            if (!_hasOldest)
            {
                return false;
            }

            if (_newer is { Count: > 0 } newer)
            {
                _oldest = newer.Dequeue();
                if (newer.Count == 0)
                {
                    _newer = null; // a burst's queue is not kept for the rest of the stream
                }
            }
            else
            {
                // Not kept here once read: a waiting stream holds none of what it wrote.
                (_oldest, _hasOldest) = (default, false);
            }

            return true;
        }
    }

    /// <summary>
    /// <c>true</c> once an event can be read, <c>false</c> once the queue is completed and empty. One reader: the next
    /// call may be made only after this one's result was taken.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_lock)
        {
            if (_hasOldest)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _waiter.Reset();
            _readerWaiting = true;
            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    private void WakeReader(bool canRead)
    {
        if (_readerWaiting)
        {
            _readerWaiting = false;
            _waiter.SetResult(canRead);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
