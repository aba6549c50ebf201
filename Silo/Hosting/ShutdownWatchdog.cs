using Microsoft.Extensions.Options;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Ends the process when stopping outlasts its deadline. Orleans' ungraceful stop still writes the silo's status to the
/// membership table and waits for Redis (about two minutes when Redis does not answer); an orchestrator would kill the
/// silo anyway, so it leaves by itself, with an exit code that says the stop was cut short.
/// </summary>
internal sealed partial class ShutdownWatchdog(
    IHostApplicationLifetime lifetime, IOptions<HostOptions> host, ILogger<ShutdownWatchdog> logger, IEnumerable<ILoggerProvider> logOutputs)
    : IHostedService, IDisposable
{
    /// <summary>What the stop may take beyond <see cref="HostOptions.ShutdownTimeout"/>: Orleans' ungraceful stop with Redis up.</summary>
    public static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);

    /// <summary>Exit code of a silo whose stop did not finish within its deadline and was ended by the watchdog.</summary>
    public const int StopOverran = 3;

    /// <summary>How long the watchdog waits for the logs to be written out before it exits anyway.</summary>
    private static readonly TimeSpan LogFlushLimit = TimeSpan.FromSeconds(2);

    private CancellationTokenRegistration _stopping;
    private Timer? _timer;
    private volatile bool _stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(Arm);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The host disposes its services only after every hosted service stopped: the stop did not overrun.
    public void Dispose()
    {
        _stopped = true;
        _stopping.Dispose();
        _timer?.Dispose();
    }

    private void Arm()
    {
        var limit = host.Value.ShutdownTimeout + ExitGrace;
        _timer = new Timer(_ => Overran(limit), null, limit, Timeout.InfiniteTimeSpan);
    }

    private void Overran(TimeSpan limit)
    {
        if (_stopped)
        {
            return; // the stop finished as the deadline came
        }

        try
        {
            LogOverran(logger, limit);

            // The console writes from a queue on its own thread, which Environment.Exit does not wait for: disposing the
            // providers writes out what is queued, this line included, so the log says why the silo left. Bounded, as
            // whatever hangs must not hold the exit.
            Task.Run(() =>
            {
                foreach (var output in logOutputs)
                {
                    output.Dispose();
                }
            }).Wait(LogFlushLimit);
        }
        catch (Exception)
        {
            // Leaving matters more than the log line.
        }
        finally
        {
            Environment.Exit(StopOverran);
        }
    }
}
