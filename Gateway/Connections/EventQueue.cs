using System.Threading.Tasks.Sources;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// The bounded queue of one connection's outgoing events: many writers, one reader. Not a <c>BoundedChannel</c>: a
/// stream waits on its queue for hours, and a bounded channel with the iterator that reads it kept ~1.2 KB per idle
/// stream (its deque, blocked-reader and blocked-writer operations, two waiting-reader objects, the iterator), about a
/// twentieth of all a stream costs a silo. This queue holds its oldest event in a field (most streams never have more
/// than one waiting), the rest in a <see cref="Queue{T}"/> made when needed and dropped when emptied, and has one reusable waiter.
/// Bounded by count (<paramref name="capacity"/>) and by bytes (<paramref name="budget"/>: this queue's bound and the
/// silo's). An event's bytes count from when it is queued until the reader comes back for more, so the event a stalled
/// stream is stuck writing counts too.
/// </summary>
internal sealed class EventQueue(int capacity, QueueByteBudget? budget = null) : IValueTaskSource<bool>
{
    private readonly Lock _lock = new();
    private readonly QueueByteBudget _budget = budget ?? QueueByteBudget.Unbounded;

    // Continuations run on the thread pool: a writer (a delivery, the heartbeat timer) must never run the stream's writer.
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private OutgoingEvent _oldest;
    private bool _hasOldest;
    private Queue<OutgoingEvent>? _newer;
    private bool _readerWaiting;
    private bool _completed;
    private long _bytes; // taken from the budget: the queued events and the one last read
    private long _readBytes; // of the event last read, given back when the reader comes back for more

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

    /// <summary>Bytes this queue holds against its budget: the events waiting and the one being written.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Queues an event; <c>false</c> when the queue is full (events or bytes), the silo's bytes are, or it is completed.</summary>
    public bool TryWrite(OutgoingEvent item)
    {
        var size = QueueByteBudget.SizeOf(item);
        lock (_lock)
        {
            if (_completed || CountUnlocked >= capacity)
            {
                return false;
            }

            // A queue that holds nothing takes one event of any size (a result larger than the bound still reaches a
            // client that reads); the silo's bound has no such exception, or each stalled stream could hold one.
            if ((_bytes > 0 && _bytes + size > _budget.MaxPerConnection) || !_budget.TryTake(size))
            {
                return false;
            }

            _bytes += size;

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
            ReturnRead();
            item = _oldest;
            if (!_hasOldest)
            {
                return false;
            }

            _readBytes = QueueByteBudget.SizeOf(item);

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
            ReturnRead();
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

    /// <summary>
    /// Completes the queue and drops what it still holds, giving its bytes back: the reader has stopped for good (the
    /// response ended) and would never read them.
    /// </summary>
    public void Discard()
    {
        lock (_lock)
        {
            _completed = true;
            (_oldest, _hasOldest, _newer) = (default, false, null);
            _budget.Return(_bytes);
            (_bytes, _readBytes) = (0, 0);
            WakeReader(false);
        }
    }

    /// <summary>The reader is back for more: the event it read last is written (or abandoned).</summary>
    private void ReturnRead()
    {
        if (_readBytes != 0)
        {
            _budget.Return(_readBytes);
            _bytes -= _readBytes;
            _readBytes = 0;
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
