using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Tests.Connections;

public sealed class EventQueueTests
{
    private static OutgoingEvent Event(long id) => new(id, "e", "{}");

    [Fact]
    public void A_full_queue_refuses_events_and_gives_back_the_rest_in_order()
    {
        var queue = new EventQueue(capacity: 3);

        Assert.True(queue.TryWrite(Event(1)));
        Assert.True(queue.TryWrite(Event(2)));
        Assert.True(queue.TryWrite(Event(3)));
        Assert.False(queue.TryWrite(Event(4)));
        Assert.Equal(3, queue.Count);

        var read = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(queue.TryRead(out var item));
            read.Add(item.Id);
        }

        Assert.True(queue.TryWrite(Event(5)));
        while (queue.TryRead(out var item))
        {
            read.Add(item.Id);
        }

        Assert.Equal([1L, 2L, 3L, 5L], read);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_for_each_event_and_for_the_end()
    {
        var queue = new EventQueue(capacity: 8);

        for (var id = 1; id <= 3; id++)
        {
            var waiting = queue.WaitToReadAsync();
            Assert.False(waiting.IsCompleted);
            var writer = Task.Run(() => queue.TryWrite(Event(id)));
            Assert.True(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(await writer);
            Assert.True(queue.TryRead(out var read));
            Assert.Equal(id, read.Id);
        }

        var last = queue.WaitToReadAsync();
        Assert.True(queue.TryComplete());
        Assert.False(await last.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(queue.TryComplete());
    }

    [Fact]
    public async Task Events_queued_before_the_end_are_still_read_and_none_after_it()
    {
        var queue = new EventQueue(capacity: 8);
        Assert.True(queue.TryWrite(Event(1)));
        Assert.True(queue.TryComplete());

        Assert.False(queue.TryWrite(Event(2)));
        Assert.True(await queue.WaitToReadAsync());
        Assert.True(queue.TryRead(out var read));
        Assert.Equal(1, read.Id);
        Assert.False(await queue.WaitToReadAsync());
    }
}
