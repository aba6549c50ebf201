using SseVirtualization.Clients;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Tests.Connections;

public sealed class ResumePositionTests
{
    [Theory]
    [InlineData(null, new long[0], 0L, 0L)] // a new client: its stream starts after 0
    [InlineData(null, new long[0], 7L, 7L)] // nothing unsent: after the newest
    [InlineData(null, new long[] { 5, 6, 7 }, 7L, 4L)] // unsent results replayed next: just before the oldest of them
    [InlineData(3L, new long[] { 4, 5 }, 5L, 3L)] // resumed: where the client said
    [InlineData(3L, new long[] { 9, 10 }, 10L, 3L)] // resumed across a gap: the same gap again on the next resume
    [InlineData(50L, new long[0], 10L, 10L)] // an id beyond the log (it was reset): live events are numbered after its newest
    public void The_position_is_never_past_the_first_event_the_stream_writes(long? lastEventId, long[] replayed, long newest, long expected)
    {
        var backlog = new EventBatch(
            replayed.Select(id => new ClientEvent(id, ClientEventTypes.FunctionResponse, "{}", DateTimeOffset.UnixEpoch, RequestId: null)).ToList(),
            Gap: null,
            LastEventId: newest);

        var position = ResumePosition.Of(lastEventId, backlog);

        Assert.Equal(expected, position);
        Assert.All(replayed, id => Assert.True(id > position));
    }
}
