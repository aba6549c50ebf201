using Orleans.Runtime;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// Re-driving accepted async invocations: while any is unanswered, a timer asks each function grain whether
/// it is still running the call and restarts it if not (its silo died); a reminder brings the client grain
/// back on another silo if this one dies. After <see cref="ClientOptions.MaxInvocationAttempts"/> starts the
/// client is told the invocation failed, so an accepted invocation always ends in exactly one result.
/// </summary>
internal sealed partial class ClientGrain
{
    private const string RedriveReminder = "redrive-invocations";

    /// <summary>A silo that does not say within this whether it still runs an invocation is asked again at the next check.</summary>
    private static readonly TimeSpan RunningOnAskTimeout = TimeSpan.FromSeconds(3);
    // Made once per activation and paused while nothing is pending, not made and disposed for every burst of
    // invocations: a busy client would otherwise leave a timer's worth of garbage (~350 B, old enough to be promoted)
    // behind every invocation.
    private IGrainTimer? _redriveTimer;
    private bool _redriveTimerRunning;
    private bool _reminderRegistered;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (string.Equals(reminderName, ExpiryReminder, StringComparison.Ordinal))
        {
            await SweepExpiredAsync();
            return;
        }

        if (_log.Head.Pending.Count > 0)
        {
            StartRedriving();
            return;
        }

        await StopRedrivingAsync();
    }

    private void StartRedriving()
    {
        var interval = options.Value.RedriveCheckInterval;
        if (_redriveTimer is null)
        {
            _redriveTimer = this.RegisterGrainTimer(
                RedriveAsync,
                new GrainTimerCreationOptions(interval, interval) { Interleave = true, KeepAlive = true });
        }
        else if (!_redriveTimerRunning)
        {
            _redriveTimer.Change(interval, interval);
        }

        _redriveTimerRunning = true;
        if (!_reminderRegistered)
        {
            _reminderRegistered = true;
            _ = RegisterReminderAsync();
        }
    }

    private async Task RegisterReminderAsync()
    {
        try
        {
            await this.RegisterOrUpdateReminder(RedriveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _reminderRegistered = false;
            LogReminderFailed(logger, ex, ClientId);
        }
    }

    private async Task StopRedrivingAsync()
    {
        PauseRedriveTimer();
        var reminder = await this.GetReminder(RedriveReminder);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminderRegistered = false;
    }

    private void PauseRedriveTimer()
    {
        _redriveTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _redriveTimerRunning = false;
    }

    private async Task RedriveAsync(CancellationToken cancellationToken)
    {
        var pending = _log.Head.Pending;
        if (pending.Count == 0)
        {
            PauseRedriveTimer();
            return;
        }

        var settings = options.Value;
        var due = time.GetUtcNow() - settings.RedriveAfter;
        var checks = new List<Task>();
        foreach (var invocation in pending.Values.ToList())
        {
            if (invocation.AcceptedAt <= due)
            {
                checks.Add(EnsureRunningAsync(invocation, settings.MaxInvocationAttempts));
            }
        }

        await Task.WhenAll(checks);
    }

    private async Task EnsureRunningAsync(PendingInvocation invocation, int maxAttempts)
    {
        var requestId = invocation.Request.RequestId!;
        try
        {
            if (await RunsOnItsSiloAsync(invocation))
            {
                return;
            }

            var runner = GrainFactory.ReferenceTo<IAsyncInvocationRunner>(invocation.Function);
            if (invocation.Request.Stream)
            {
                // Items may already be on the client's stream: restarting would repeat them, so it ends here.
                if (!await runner.IsRunningAsync(requestId))
                {
                    await InterruptAsync(invocation);
                }

                return;
            }

            if (invocation.Attempts >= maxAttempts)
            {
                if (!await runner.IsRunningAsync(requestId))
                {
                    await GiveUpAsync(invocation);
                }

                return;
            }

            if (!await runner.EnsureRunningAsync(invocation.Request))
            {
                return;
            }

            // Restarted: its previous run died with its silo. Count the attempt (the same request id goes to
            // the function again, so it can deduplicate). This timer interleaves with requests, so every
            // change to stored state goes through a call to the grain itself and is written in turn.
            LogRestarted(logger, ClientId, requestId, invocation.Attempts + 1);
            await this.AsReference<IInvocationLedger>().RecordAttemptAsync(requestId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRedriveFailed(logger, ex, ClientId, requestId);
        }
    }

    /// <summary>
    /// Whether the silo that took the invocation to run itself (<see cref="PendingInvocation.RunningOn"/>, from
    /// <see cref="AcceptAndRunAsync"/>) still runs it: it may be another silo since this grain moved. A silo no longer in
    /// the cluster runs nothing; one that cannot answer now is asked again at the next check.
    /// </summary>
    private async Task<bool> RunsOnItsSiloAsync(PendingInvocation invocation)
    {
        if (invocation.RunningOn is not { } siloId)
        {
            return false;
        }

        if (string.Equals(siloId, localCalls.SiloId, StringComparison.Ordinal))
        {
            return localCalls.IsRunning(invocation.Function, invocation.Request.RequestId!);
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(siloId));
        return status is not (SiloStatus.Dead or SiloStatus.None) && await GrainFactory.ReferenceTo<ISiloFunctionsGrain>(siloId)
            .IsRunningAsync(invocation.Function, invocation.Request.RequestId!).WaitAsync(RunningOnAskTimeout);
    }

    private async Task InterruptAsync(PendingInvocation invocation)
    {
        var requestId = invocation.Request.RequestId!;
        var failure = new InvocationResult(requestId, invocation.Function, InvocationOutcome.Interrupted, 0, null, "interrupted", 0);
        if (await this.AsReference<IInvocationLedger>().PublishResultAsync(requestId, InvocationResultJson.ToJson(failure), settlesPending: true))
        {
            LogInterrupted(logger, ClientId, requestId);
        }
    }

    private async Task GiveUpAsync(PendingInvocation invocation)
    {
        var requestId = invocation.Request.RequestId!;
        var failure = new InvocationResult(requestId, invocation.Function, InvocationOutcome.Abandoned, 0, null,
            $"the invocation did not complete after {invocation.Attempts} attempts", 0);
        if (await this.AsReference<IInvocationLedger>().PublishResultAsync(requestId, InvocationResultJson.ToJson(failure), settlesPending: true))
        {
            LogAbandoned(logger, ClientId, requestId, invocation.Attempts);
        }
    }
}
