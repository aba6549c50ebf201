using System.Threading.Tasks.Sources;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// The bounded queue of one connection's outgoing events: many writers, one reader. Not a <c>BoundedChannel</c>: a
/// stream waits on its queue for hours, and a bounded channel with the iterator that reads it kept ~1.2 KB per idle
/// stream (its deque, blocked-reader and blocked-writer operations, two waiting-reader objects, the iterator), about a
/// twentieth of all a stream costs a silo. This queue keeps a <see cref="Queue{T}"/> that lets go of its array whenever
/// it is emptied, and one reusable waiter.
/// </summary>
internal sealed class EventQueue(int capacity) : IValueTaskSource<bool>
{
    private readonly Queue<OutgoingEvent> _items = new();

    // Continuations run on the thread pool: a writer (a delivery, the heartbeat timer) must never run the stream's writer.
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private bool _readerWaiting;
    private bool _completed;

    /// <summary>Events waiting to be read.</summary>
    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Queues an event; <c>false</c> when the queue is full or completed.</summary>
    public bool TryWrite(OutgoingEvent item)
    {
        lock (_items)
        {
            if (_completed || _items.Count >= capacity)
            {
                return false;
            }

            _items.Enqueue(item);
            WakeReader(true);
            return true;
        }
    }

    /// <summary>Accepts no more events; the reader still reads those queued. <c>false</c> when it was already completed.</summary>
    public bool TryComplete()
    {
        lock (_items)
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
        lock (_items)
        {
            if (!_items.TryDequeue(out item))
            {
                return false;
            }

            if (_items.Count == 0)
            {
                // Most streams are idle between single events: an emptied queue lets go of its array (~200 B a stream).
                _items.TrimExcess();
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
        lock (_items)
        {
            if (_items.Count > 0)
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
