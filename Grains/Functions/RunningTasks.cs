namespace SseVirtualization.Grains.Functions;

/// <summary>Work a grain started outside any grain request, which its deactivation waits for as Orleans waits for requests.</summary>
internal sealed class RunningTasks
{
    private readonly HashSet<Task> _tasks = [];

    public void Track(Task task)
    {
        if (task.IsCompleted)
        {
            return;
        }

        lock (_tasks)
        {
            _tasks.Add(task);
        }

        _ = task.ContinueWith(
            static (done, state) =>
            {
                var tasks = (HashSet<Task>)state!;
                lock (tasks)
                {
                    tasks.Remove(done);
                }
            },
            _tasks,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Whether any tracked work is still running.</summary>
    public bool Any
    {
        get
        {
            lock (_tasks)
            {
                return _tasks.Count > 0;
            }
        }
    }

    /// <summary>Waits for the tracked work to end (however it ends), or for <paramref name="cancellationToken"/>.</summary>
    public async Task WhenAllAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_tasks)
        {
            running = [.. _tasks];
        }

        if (running.Length > 0)
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }
}
