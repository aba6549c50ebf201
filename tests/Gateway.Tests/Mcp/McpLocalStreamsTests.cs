using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SseVirtualization.Gateway.Mcp;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Tests.Mcp;

/// <summary>
/// When this silo asks a session to push its messages here, and to stop: once for all its streams here, kept a while
/// after the last one closes, in order, and asked again after a failure.
/// </summary>
public sealed class McpLocalStreamsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly RecordingWatches _watches = new();
    private readonly McpLocalStreams _streams;

    public McpLocalStreamsTests() => _streams = new McpLocalStreams(_watches, _time, NullLogger<McpLocalStreams>.Instance);

    [Fact]
    public async Task A_session_is_watched_once_for_all_its_streams_and_unwatched_only_after_the_linger()
    {
        var first = await _streams.OpenAsync("s1", McpEventId.StandaloneStream);
        var second = await _streams.OpenAsync("s1", 3);
        Assert.Equal(["watch s1"], _watches.Calls);

        await first.DisposeAsync();
        await second.DisposeAsync();
        _time.Advance(McpLocalStreams.Linger - TimeSpan.FromSeconds(1));
        await _streams.SweepAsync(reassert: false);
        Assert.Equal(["watch s1"], _watches.Calls);

        // A stream opened within the linger needs no new watch.
        await (await _streams.OpenAsync("s1", 4)).DisposeAsync();
        _time.Advance(McpLocalStreams.Linger);
        await _streams.SweepAsync(reassert: false);
        Assert.Equal(["watch s1", "unwatch s1"], _watches.Calls);

        await using var again = await _streams.OpenAsync("s1", 5);
        Assert.Equal(["watch s1", "unwatch s1", "watch s1"], _watches.Calls);
    }

    [Fact]
    public async Task A_message_reaches_only_the_open_streams_of_its_session_and_stream()
    {
        await using var standalone = await _streams.OpenAsync("s1", McpEventId.StandaloneStream);
        await using var post = await _streams.OpenAsync("s1", 3);
        await using var other = await _streams.OpenAsync("s2", McpEventId.StandaloneStream);

        _streams.Deliver(new McpStreamEvent("s1", 3, 7, "{\"id\":1}"));
        _streams.Deliver(new McpStreamEvent("s3", 3, 1, "{\"id\":2}"));

        Assert.Equal("{\"id\":1}", (await post.Reader.ReadAsync().AsTask().WaitAsync(Deadline)).MessageJson);
        Assert.False(standalone.Reader.TryRead(out _));
        Assert.False(other.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_failed_watch_fails_the_stream_that_asked_and_the_next_stream_asks_again()
    {
        _watches.FailNext = true;
        await Assert.ThrowsAsync<TimeoutException>(() => _streams.OpenAsync("s1", McpEventId.StandaloneStream));

        await using var live = await _streams.OpenAsync("s1", McpEventId.StandaloneStream);
        Assert.Equal(["watch s1", "watch s1"], _watches.Calls);
    }

    [Fact]
    public async Task A_watch_waits_for_the_unwatch_in_flight_so_the_session_never_ends_unwatched()
    {
        await (await _streams.OpenAsync("s1", McpEventId.StandaloneStream)).DisposeAsync();
        _time.Advance(McpLocalStreams.Linger);
        var unwatching = new TaskCompletionSource();
        _watches.Hold = unwatching.Task;
        var sweeping = _streams.SweepAsync(reassert: false);

        var opening = _streams.OpenAsync("s1", McpEventId.StandaloneStream);
        Assert.Equal(["watch s1", "unwatch s1"], _watches.Calls);
        Assert.False(opening.IsCompleted);

        unwatching.SetResult();
        await using var live = await opening.WaitAsync(Deadline);
        await sweeping.WaitAsync(Deadline);
        Assert.Equal(["watch s1", "unwatch s1", "watch s1"], _watches.Calls);

        // Watched again, and kept: a later sweep within the linger ends nothing.
        await _streams.SweepAsync(reassert: false);
        Assert.Equal(3, _watches.Calls.Count);
    }

    [Fact]
    public async Task Re_asserting_asks_again_only_for_sessions_with_open_streams()
    {
        await using var open = await _streams.OpenAsync("s1", McpEventId.StandaloneStream);
        await (await _streams.OpenAsync("s2", McpEventId.StandaloneStream)).DisposeAsync();

        await _streams.SweepAsync(reassert: true);

        Assert.Equal(["watch s1", "watch s2", "watch s1"], _watches.Calls);
    }

    private sealed class RecordingWatches : IMcpWatches
    {
        private readonly List<string> _calls = [];

        public IReadOnlyList<string> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public bool FailNext { get; set; }

        /// <summary>When set, the next unwatch completes only with this task.</summary>
        public Task? Hold { get; set; }

        public Task WatchAsync(string sessionId)
        {
            Record("watch " + sessionId);
            if (FailNext)
            {
                FailNext = false;
                return Task.FromException(new TimeoutException("the session did not answer"));
            }

            return Task.CompletedTask;
        }

        public Task UnwatchAsync(string sessionId)
        {
            Record("unwatch " + sessionId);
            var held = Hold ?? Task.CompletedTask;
            Hold = null;
            return held;
        }

        private void Record(string call)
        {
            lock (_calls)
            {
                _calls.Add(call);
            }
        }
    }
}
