using SseVirtualization.Streams;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// The audit of live delivery. Events go to silos fire and forget, and a connection notices a lost event only when a
/// later one arrives; so some time after the grain sends events to a silo (<see cref="ClientOptions.DeliveryAuditDelay"/>)
/// it tells that silo its newest id, and connections there that missed the last ones fetch them from the log. One call
/// per silo per interval while events flow, none for an idle client, whose grain can then deactivate.
/// </summary>
internal sealed partial class ClientGrain
{
    // A silo whose audit call failed is tried again at the next delay, this many times at most: a failure while the
    // cluster changes (a dead silo's share of the grain directory moving) must not leave a lost last event unaudited,
    // and a silo of a release without the audit must not be called forever.
    private const int MaxAuditAttempts = 5;

    private IGrainTimer? _auditTimer;
    private HashSet<string>? _unaudited; // silos sent events since their last audit
    private Dictionary<string, int>? _failedAudits; // silos whose audit failed, with how many times in a row

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unaudited is not null)
        {
            await AuditDeliveriesAsync(cancellationToken);
        }
    }

    /// <summary>Remembers that events went live to <paramref name="siloIds"/>; the first since the last audit arms the timer.</summary>
    private void AuditLater(IEnumerable<string> siloIds)
    {
        var armed = _unaudited is not null;
        _unaudited ??= new HashSet<string>(StringComparer.Ordinal);
        _unaudited.UnionWith(siloIds);
        if (armed)
        {
            return;
        }

        var delay = options.Value.DeliveryAuditDelay;
        if (_auditTimer is null)
        {
            // Not keeping the grain alive: an idle client's grain may go once its last events are audited.
            _auditTimer = this.RegisterGrainTimer(
                AuditDeliveriesAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = false });
        }
        else
        {
            _auditTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task AuditDeliveriesAsync(CancellationToken cancellationToken)
    {
        var silos = _unaudited;
        _unaudited = null;
        if (silos is null)
        {
            return;
        }

        // A dead silo's connections have moved on (their new silo's connect returns what they missed).
        var connected = state.State.Silos;
        ForgetDeadSilos(connected);
        var newest = _log.LastEventId;
        List<string>? again = null;
        foreach (var siloId in silos)
        {
            if (!connected.ContainsKey(siloId))
            {
                continue; // its connections closed: the next connect returns what they missed
            }

            try
            {
                await GrainFactory.ReferenceTo<ISiloCatchUpGrain>(siloId).CatchUpAsync(ClientId, newest);
                _failedAudits?.Remove(siloId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogDeliveryAuditFailed(logger, ClientId, siloId, ex.Message);
                var failures = (_failedAudits ??= new(StringComparer.Ordinal)).GetValueOrDefault(siloId) + 1;
                if (failures < MaxAuditAttempts)
                {
                    _failedAudits[siloId] = failures;
                    (again ??= []).Add(siloId);
                }
                else
                {
                    _failedAudits.Remove(siloId);
                }
            }
        }

        if (again is not null && !cancellationToken.IsCancellationRequested)
        {
            AuditLater(again);
        }
    }
}
