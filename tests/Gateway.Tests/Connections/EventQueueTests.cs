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

    private static OutgoingEvent Sized(long id, int characters) => new(id, "e", new string('x', characters));

    [Fact]
    public void A_queue_refuses_an_event_past_its_bytes_and_counts_each_event_until_the_reader_comes_back()
    {
        var budget = new QueueByteBudget(maxPerConnection: 1000, maxPerSilo: 1_000_000);
        var queue = new EventQueue(capacity: 100, budget);

        Assert.True(queue.TryWrite(Sized(1, 200))); // 400 bytes held in memory
        Assert.True(queue.TryWrite(Sized(2, 200)));
        Assert.False(queue.TryWrite(Sized(3, 200))); // 1,200 > 1,000
        Assert.True(queue.TryWrite(Sized(4, 100)));
        Assert.Equal(1000, queue.Bytes);
        Assert.Equal(1000, budget.Used);

        // The event read is still being written: it counts until the reader asks for the next one.
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(1, first.Id);
        Assert.Equal(1000, budget.Used);
        Assert.True(queue.TryRead(out _));
        Assert.Equal(600, budget.Used);
        Assert.True(queue.TryRead(out _));
        Assert.False(queue.TryRead(out _));
        Assert.Equal(0, queue.Bytes);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void A_queue_that_holds_nothing_takes_one_event_larger_than_its_bound_and_nothing_after_it()
    {
        var budget = new QueueByteBudget(maxPerConnection: 1000, maxPerSilo: 1_000_000);
        var queue = new EventQueue(capacity: 100, budget);

        Assert.True(queue.TryWrite(Sized(1, 5000)));
        Assert.False(queue.TryWrite(Sized(2, 1)));
        Assert.True(queue.TryRead(out _));
        Assert.False(queue.TryWrite(Sized(2, 1))); // still being written
        Assert.False(queue.TryRead(out _));
        Assert.True(queue.TryWrite(Sized(2, 1)));
    }

    [Fact]
    public void The_silos_bytes_bound_all_queues_together_with_no_exception_for_an_empty_queue()
    {
        var budget = new QueueByteBudget(maxPerConnection: 1000, maxPerSilo: 1500);
        var a = new EventQueue(capacity: 100, budget);
        var b = new EventQueue(capacity: 100, budget);

        Assert.True(a.TryWrite(Sized(1, 450)));
        Assert.True(b.TryWrite(Sized(1, 300)));
        Assert.False(b.TryWrite(Sized(2, 300))); // 900 + 600 + 600 > 1,500
        Assert.Equal(1500, budget.Used);
        var c = new EventQueue(capacity: 100, budget);
        Assert.False(c.TryWrite(Sized(1, 1)));
        Assert.Equal(0, c.Bytes);
        Assert.Equal(1500, budget.Used);
    }

    [Fact]
    public void A_discarded_queue_gives_back_every_byte_it_held_and_takes_no_more()
    {
        var budget = new QueueByteBudget(maxPerConnection: 10_000, maxPerSilo: 10_000);
        var queue = new EventQueue(capacity: 100, budget);
        Assert.True(queue.TryWrite(Sized(1, 100)));
        Assert.True(queue.TryWrite(Sized(2, 100)));
        Assert.True(queue.TryRead(out _));

        queue.Discard();

        Assert.Equal(0, budget.Used);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryWrite(Sized(3, 1)));
        Assert.False(queue.TryRead(out _));
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task Bytes_balance_to_zero_after_many_writers_and_one_reader()
    {
        var budget = new QueueByteBudget(maxPerConnection: 4000, maxPerSilo: 6000);
        var queues = Enumerable.Range(0, 4).Select(_ => new EventQueue(capacity: 1000, budget)).ToArray();
        var readers = queues.Select(queue => Task.Run(async () =>
        {
            while (await queue.WaitToReadAsync())
            {
                while (queue.TryRead(out _))
                {
                }
            }
        })).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                queues[(w + i) % queues.Length].TryWrite(Sized(i + 1, 1 + (i % 300)));
            }
        })));
        foreach (var queue in queues)
        {
            queue.TryComplete();
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, budget.Used);
    }
}
