using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Hosting;

/// <summary>
/// Work a request starts and does not wait for (an MCP answer computed after <c>202</c>, a tool call whose stream was
/// closed). Stopping waits for it until the drain deadline (the host's shutdown timeout), then tells what is left to
/// give up, so it can say so to its client instead of vanishing with the silo, and the stop never waits on it longer.
/// </summary>
internal sealed partial class DetachedWork(ILogger<DetachedWork> logger) : IHostedService, IDisposable
{
    /// <summary>How long work that was told to give up may take to tell its client (one grain call).</summary>
    private static readonly TimeSpan ReportGrace = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _giveUp = new();

    /// <summary>Runs <paramref name="work"/> on the thread pool; its token is cancelled once the drain deadline passed.</summary>
    public Task Run(Func<CancellationToken, Task> work)
    {
        var task = Task.Run(() => work(_giveUp.Token), CancellationToken.None);
        _running.TryAdd(task, 0);
        // Added before the removal is attached: a task that already ended is removed too.
        _ = task.ContinueWith(static (ended, running) => ((ConcurrentDictionary<Task, byte>)running!).TryRemove(ended, out _), _running, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_running.IsEmpty)
        {
            return;
        }

        LogWaiting(logger, _running.Count);
        // Work may start while we wait (a request still on an open connection): wait until none is left.
        while (!_running.IsEmpty && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_running.IsEmpty)
        {
            LogAllEnded(logger);
            return;
        }

        LogGivingUp(logger, _running.Count);
        await _giveUp.CancelAsync();
        await Task.WhenAll(_running.Keys).WaitAsync(ReportGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _giveUp.Dispose();
}
