using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Tests.Connections;

/// <summary>
/// The heartbeat round on fake time: spread over the interval in steps, each connection beaten once per round. Every
/// heartbeat stays in its connection's queue (nothing writes them out), so a queue's length counts its heartbeats.
/// </summary>
public sealed class HeartbeatServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    // 2 s in steps of at least 10 ms: the full 200 steps, 5 of these connections each.
    private const int Steps = HeartbeatService.TicksPerRound;
    private const int HeldCount = 1000;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TimerObservingTime _time = new();
    private readonly GatewayCounters _counters;
    private readonly LocalConnections _connections;
    private readonly HeartbeatService _service;

    public HeartbeatServiceTests()
    {
        _counters = new GatewayCounters(_services.GetRequiredService<IMeterFactory>());
        _connections = new LocalConnections(_counters);
        _service = new HeartbeatService(
            _connections, _counters, Options.Create(new GatewayOptions { HeartbeatInterval = Interval }), _time, NullLogger<HeartbeatService>.Instance);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task A_round_beats_each_connection_once_spread_evenly_over_the_interval()
    {
        var held = Hold(HeldCount);
        var start = _time.GetUtcNow();
        await StartAsync();

        for (var step = 1; step <= Steps; step++)
        {
            await StepAsync(held, expected: HeldCount * step / Steps);
        }

        Assert.All(held, connection => Assert.Equal(1, connection.QueueLength));
        Assert.Equal(start + (Interval / Steps), held.Min(connection => connection.LastPing));
        Assert.Equal(start + Interval, held.Max(connection => connection.LastPing));
    }

    [Fact]
    public async Task A_connection_opened_during_a_round_gets_its_first_heartbeat_in_the_next()
    {
        var held = Hold(HeldCount);
        await StartAsync();
        for (var step = 1; step <= Steps / 2; step++)
        {
            await StepAsync(held, expected: HeldCount * step / Steps);
        }

        var late = Hold(1, "late")[0];
        for (var step = Steps / 2 + 1; step <= Steps; step++)
        {
            await StepAsync(held, expected: HeldCount * step / Steps);
        }

        Assert.Equal(0, late.QueueLength);

        // The next round takes it with the others; it is beaten once, and the others a second time.
        var all = held.Append(late).ToList();
        for (var step = 1; step <= Steps; step++)
        {
            await StepAsync(all, expected: HeldCount + ((HeldCount + 1) * step / Steps));
        }

        Assert.Equal(1, late.QueueLength);
        Assert.All(held, connection => Assert.Equal(2, connection.QueueLength));
    }

    /// <summary>Starts the service and waits for its timer: ExecuteAsync runs on the thread pool, so the timer may start later.</summary>
    private async Task StartAsync()
    {
        await _service.StartAsync(CancellationToken.None);
        await _time.TimerCreated.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private List<SseConnection> Hold(int count, string prefix = "client")
    {
        var held = new List<SseConnection>(count);
        for (var i = 0; i < count; i++)
        {
            var connection = new SseConnection($"{prefix}-{i}", null, new Dictionary<string, string>(), 8, _time.GetUtcNow(), () => { }, _counters);
            _connections.Add(connection);
            held.Add(connection);
        }

        return held;
    }

    /// <summary>Moves time one step on and waits until the service has queued <paramref name="expected"/> heartbeats in all.</summary>
    private async Task StepAsync(IReadOnlyList<SseConnection> held, int expected)
    {
        _time.Advance(Interval / Steps);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Queued(held) < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Queued(held)} heartbeats queued, {expected} expected");
            await Task.Delay(1);
        }

        // Nothing runs ahead of the clock: one step beats its share and no more.
        Assert.Equal(expected, Queued(held));
    }

    private static int Queued(IReadOnlyList<SseConnection> held) => held.Sum(connection => connection.QueueLength);

    private sealed class TimerObservingTime() : FakeTimeProvider(DateTimeOffset.UnixEpoch)
    {
        public TaskCompletionSource TimerCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.TrySetResult();
            return timer;
        }
    }
}
