using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.BroadcastChannel;
using SseVirtualization.Clients;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Functions.Calls;
using SseVirtualization.Grains.Hosting;
using SseVirtualization.Streams;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// One SSE client: numbers its events, keeps them in a bounded segmented log, and pushes each to every silo
/// that holds one of its connections (the <see cref="StreamNames.DeliveryChannel"/> broadcast channel). With no live connection an event waits in the
/// log until the next connect. It also keeps the ledger of async invocations made for the client.
/// Activated where it is first called, which is usually the silo where the client opened its stream: events for a
/// connection held there are then handed to the socket without crossing silos.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
internal sealed partial class ClientGrain(
    [PersistentState("client", StorageNames.Grains)] IPersistentState<ClientState> state,
    IClusterMembershipService membership,
    LocalFunctionCalls localCalls,
    IOptions<ClientOptions> options,
    TimeProvider time,
    ILogger<ClientGrain> logger)
    : Grain, IClientGrain, IInvocationLedger, IRemindable
{
    private ClientEventLog _log = null!;
    private IBroadcastChannelProvider? _channels;
    private ILocalDelivery? _localDelivery; // this silo's connections, when it hosts a front end

    // Connections closed before their open was recorded: an open that arrives after its own close (it timed out at the
    // gateway, which took it back) must not record a connection nobody holds. In memory: it guards against reordering
    // within seconds, not across activations.
    private readonly RecentIds _closedBeforeOpened = new(64);

    private string ClientId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        _localDelivery = ServiceProvider.GetService<ILocalDelivery>();
        if (state.State.SegmentSize <= 0)
        {
            state.State.SegmentSize = options.Value.LogSegmentSize;
        }

        // The record's byte counts are the log's own (one dictionary): writing the record stores them.
        _log = new ClientEventLog(
            storage, this.GetGrainId(), state.State.SegmentSize, OnStorageConflict, options.Value.MaxLogBytes, state.State.SegmentBytes);
        await _log.OpenAsync(state.State.HeadSegment);
        if (_log.Head.Pending.Count > 0)
        {
            StartRedriving();
        }

        // Whether the last events an earlier activation stored reached the connected silos, this one cannot know: that
        // activation may have died with its silo before sending them, or gone on, on a silo already declared dead, storing
        // events it could no longer send. So the connected silos are told the newest id once, as after a send.
        if (state.State.Silos.Count > 0)
        {
            AuditLater(state.State.Silos.Keys);
        }

        await EnsureExpiryReminderOnActivationAsync();
    }

    public Task<EventBatch> ConnectAsync(string siloId, long? lastEventId) => OpenAsync(siloId, connectionId: null, lastEventId);

    public Task<EventBatch> OpenConnectionAsync(string siloId, string connectionId, long? lastEventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return OpenAsync(siloId, connectionId, lastEventId);
    }

    public Task DisconnectAsync(string siloId, long lastWrittenId) => CloseAsync(siloId, connectionId: null, lastWrittenId);

    public Task CloseConnectionAsync(string siloId, string connectionId, long lastWrittenId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return CloseAsync(siloId, connectionId, lastWrittenId);
    }

    /// <param name="siloId">The silo holding the connection.</param>
    /// <param name="connectionId">The connection, or null from a gateway of an earlier release (counted, not named).</param>
    /// <param name="lastEventId">The client's Last-Event-ID, if it sent one.</param>
    private async Task<EventBatch> OpenAsync(string siloId, string? connectionId, long? lastEventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(siloId);
        var current = state.State;
        if (connectionId is not null && _closedBeforeOpened.Contains(connectionId))
        {
            return new EventBatch([], null, _log.LastEventId); // the gateway gave this connection up; nothing reads the answer
        }

        var batch = lastEventId is { } after
            ? await ReadAfterAsync(after, onlyUnsent: false)
            : await ReadAfterAsync(current.SentThroughId, onlyUnsent: true);
        var (previousSentThrough, previousResumeAfter) = (current.SentThroughId, current.ResumeAfterId);
        var counted = connectionId is null || current.Connections.TryAdd(connectionId, siloId);
        if (counted)
        {
            current.Silos[siloId] = current.Silos.GetValueOrDefault(siloId) + 1;
        }

        current.SentThroughId = _log.LastEventId;
        current.ResumeAfterId = -1;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            if (ex is InconsistentStateException)
            {
                OnStorageConflict();
            }

            if (counted)
            {
                Release(current.Silos, siloId);
                if (connectionId is not null)
                {
                    current.Connections.Remove(connectionId);
                }
            }

            (current.SentThroughId, current.ResumeAfterId) = (previousSentThrough, previousResumeAfter);
            throw;
        }

        return batch;
    }

    private async Task CloseAsync(string siloId, string? connectionId, long lastWrittenId)
    {
        var current = state.State;
        var silos = current.Silos;
        if (connectionId is not null)
        {
            if (!current.Connections.Remove(connectionId, out var heldBy))
            {
                _closedBeforeOpened.Add(connectionId); // its open failed before it was recorded, or is still on its way
                return;
            }

            siloId = heldBy;
        }

        if (!Release(silos, siloId))
        {
            return;
        }

        var previousResumeAfter = current.ResumeAfterId;
        if (silos.Count == 0 && lastWrittenId >= 0 && lastWrittenId < _log.LastEventId)
        {
            current.ResumeAfterId = lastWrittenId;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            silos[siloId] = silos.GetValueOrDefault(siloId) + 1;
            if (connectionId is not null)
            {
                current.Connections[connectionId] = siloId;
            }

            current.ResumeAfterId = previousResumeAfter;
            if (ex is InconsistentStateException)
            {
                OnStorageConflict();
            }

            throw;
        }
    }

    public Task<EventBatch> GetEventsAfterAsync(long afterId) => ReadAfterAsync(afterId, onlyUnsent: false);

    public Task<long> GetLastEventIdAsync() => Task.FromResult(_log.LastEventId);

    public async Task<InvocationProgress> GetInvocationAsync(string requestId)
    {
        if (_log.Head.Pending.ContainsKey(requestId))
        {
            return new InvocationProgress(Pending: true, Result: null);
        }

        // The whole kept log at most (Clients:EventLogCapacity): a task's own client holds one event.
        var settings = options.Value;
        var (stored, _) = await _log.ReadAfterAsync(
            0, state.State.OldestSegment, _log.LastEventId - settings.EventLogCapacity + 1, time.GetUtcNow() - settings.MaxEventAge, int.MaxValue);
        _log.ForgetOldSegments();
        var result = stored.Find(s => string.Equals(s.Event.RequestId, requestId, StringComparison.Ordinal))?.Event;
        return new InvocationProgress(Pending: false, result);
    }

    public async Task<ClientEvent> PublishAsync(string type, string dataJson) =>
        await AppendAndDeliverAsync(type, dataJson, requestId: null);

    public async Task<LedgerAcceptance> AcceptAsync(PendingInvocation invocation)
    {
        var requestId = invocation.Request.RequestId!;
        var pending = _log.Head.Pending;
        if (pending.ContainsKey(requestId) || _log.HasResultFor(requestId))
        {
            return LedgerAcceptance.Duplicate;
        }

        if (pending.Count >= options.Value.MaxPendingInvocations)
        {
            return LedgerAcceptance.Full;
        }

        pending[requestId] = invocation;
        try
        {
            await _log.WriteHeadAsync();
        }
        catch
        {
            pending.Remove(requestId);
            throw;
        }

        StartRedriving();
        return LedgerAcceptance.Accepted;
    }

    public async Task<LedgerAcceptance> AcceptAndRunAsync(PendingInvocation invocation)
    {
        // Marked running here before the record is written: the re-drive, which interleaves with the write, then
        // finds it running instead of starting it a second time.
        var reserved = localCalls.TryReserve(invocation);
        var acceptance = LedgerAcceptance.Duplicate;
        try
        {
            acceptance = await AcceptAsync(reserved ? invocation with { RunningOn = localCalls.SiloId } : invocation);
        }
        finally
        {
            if (reserved && acceptance == LedgerAcceptance.Accepted)
            {
                localCalls.Start(invocation);
            }
            else if (reserved)
            {
                localCalls.Release(invocation);
            }
        }

        if (!reserved && acceptance == LedgerAcceptance.Accepted)
        {
            // This silo is stopping: the function's grain runs it, as a re-drive would.
            await GrainFactory.ReferenceTo<IAsyncInvocationRunner>(invocation.Function).EnsureRunningAsync(invocation.Request);
        }

        return acceptance;
    }

    public async Task<bool> PublishResultAsync(string requestId, string resultJson, bool settlesPending)
    {
        PendingInvocation? settled = null;
        if (settlesPending && !_log.Head.Pending.Remove(requestId, out settled))
        {
            LogDuplicateResult(logger, ClientId, requestId);
            return false;
        }

        try
        {
            await AppendAndDeliverAsync(ClientEventTypes.FunctionResponse, resultJson, requestId);
        }
        catch when (settled is not null)
        {
            _log.Head.Pending[requestId] = settled;
            throw;
        }

        return true;
    }

    public Task<int> GetPendingCountAsync() => Task.FromResult(_log.Head.Pending.Count);

    public async Task RecordAttemptAsync(string requestId)
    {
        var pending = _log.Head.Pending;
        if (!pending.TryGetValue(requestId, out var invocation))
        {
            return;
        }

        pending[requestId] = invocation with { Attempts = invocation.Attempts + 1 };
        try
        {
            await _log.WriteHeadAsync();
        }
        catch
        {
            pending[requestId] = invocation;
            throw;
        }
    }

    /// <summary>Another activation wrote this grain's state: drop this one so the next call loads what is stored.</summary>
    private void OnStorageConflict()
    {
        LogStorageConflict(logger, ClientId);
        DeactivateOnIdle();
    }

    private async Task<ClientEvent> AppendAndDeliverAsync(string type, string dataJson, string? requestId)
    {
        var silos = state.State.Silos;
        ForgetDeadSilos(silos);
        var live = silos.Count > 0;
        var clientEvent = new ClientEvent(_log.LastEventId + 1, type, dataJson, time.GetUtcNow(), requestId);

        // Stored first, so an event is never delivered that a restart could forget.
        var rolled = await _log.AppendAsync(new StoredEvent(clientEvent, live));
        var expiryReminderSet = await EnsureExpiryReminderAsync(options.Value.MaxEventAge);
        if (rolled || !state.RecordExists || _log.EvictedBefore > state.State.OldestSegment || expiryReminderSet)
        {
            // A new head, a new client whose segment size must be recorded before its log can be read back, old
            // segments the byte bound evicted, to delete now rather than at the next new head, or the age sweep's
            // reminder registered for the first event after an empty log.
            await RecordNewHeadAsync();
        }

        if (live)
        {
            PublishToSilos(silos.Keys, clientEvent);
            AuditLater(silos.Keys);
        }

        return clientEvent;
    }

    private async Task RecordNewHeadAsync()
    {
        var current = state.State;
        var keepFrom = Math.Max(_log.SegmentOf(Math.Max(1, _log.LastEventId - options.Value.EventLogCapacity + 1)), _log.EvictedBefore);
        try
        {
            await _log.DeleteBeforeAsync(current.OldestSegment, keepFrom);
            current.OldestSegment = Math.Max(current.OldestSegment, keepFrom);
            current.HeadSegment = _log.HeadIndex;
            await state.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The new head is stored and found again on activation; trimming waits for the next roll.
            LogHeadNotRecorded(logger, ex, ClientId);
            if (ex is InconsistentStateException)
            {
                OnStorageConflict();
            }
        }
    }

    /// <param name="afterId">Events after this id.</param>
    /// <param name="onlyUnsent">
    /// For a connection without Last-Event-ID: only events that never reached a socket, i.e. those not published
    /// to a silo holding a connection, and those after the last id the client's last connection wrote.
    /// </param>
    private async Task<EventBatch> ReadAfterAsync(long afterId, bool onlyUnsent)
    {
        var settings = options.Value;
        var resumeAfter = state.State.ResumeAfterId;
        var from = onlyUnsent && resumeAfter >= 0 ? Math.Min(afterId, resumeAfter) : afterId;
        var oldestAllowed = _log.LastEventId - settings.EventLogCapacity + 1;
        var (stored, truncated) = await _log.ReadAfterAsync(
            from, state.State.OldestSegment, oldestAllowed, time.GetUtcNow() - settings.MaxEventAge, settings.MaxBatchEvents);
        _log.ForgetOldSegments();
        EventGap? gap = null;
        var seen = SkipUnissued(afterId);
        if (!onlyUnsent && seen < _log.LastEventId && (stored.Count == 0 || stored[0].Event.Id > seen + 1))
        {
            gap = new EventGap(afterId, stored.Count == 0 ? 0 : stored[0].Event.Id);
        }

        // One page at most: a grain response stays far below Orleans' message size limit whatever the events weigh.
        var events = new List<ClientEvent>(Math.Min(stored.Count, settings.MaxBatchEvents));
        long bytes = 0;
        var more = truncated;
        foreach (var s in stored)
        {
            var unsent = (!s.DeliveredLive && s.Event.Id > afterId) || (resumeAfter >= 0 && s.Event.Id > resumeAfter);
            if (onlyUnsent && !unsent)
            {
                continue;
            }

            if (events.Count >= settings.MaxBatchEvents || (events.Count > 0 && bytes + s.Event.DataJson.Length > settings.MaxBatchBytes))
            {
                more = true;
                break;
            }

            events.Add(s.Event);
            bytes += s.Event.DataJson.Length;
        }

        return new EventBatch(events, gap, _log.LastEventId, more);
    }

    private void PublishToSilos(IEnumerable<string> siloIds, ClientEvent clientEvent)
    {
        var delivery = new SiloDelivery(ClientId, clientEvent, System.Diagnostics.Activity.Current?.Id);
        foreach (var siloId in siloIds)
        {
            // The event is stored: a failed send is a hole the connection fills from the log, or the silo's audit
            // catches. Failing here would make the caller think the event was never recorded (and record it twice).
            try
            {
                if (_localDelivery is { } local && string.Equals(siloId, local.SiloId, StringComparison.Ordinal))
                {
                    // This silo's own connections: queued from here, in order, without the channel's message to the
                    // silo's subscriber and a turn of its own there.
                    local.Deliver(delivery);
                    continue;
                }

                var channels = _channels ??= ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(StreamNames.DeliveryChannel);
                // Fire and forget (see AddSseGrains): the task completes once the message is on its way, and Orleans
                // logs a send that fails later.
                var sending = channels.GetChannelWriter<SiloDelivery>(ChannelId.Create(StreamNames.SiloNamespace, siloId)).Publish(delivery);
                if (sending.IsFaulted)
                {
                    LogLiveDeliveryFailed(logger, sending.Exception.GetBaseException(), ClientId, clientEvent.Id, siloId);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogLiveDeliveryFailed(logger, ex, ClientId, clientEvent.Id, siloId);
            }
        }
    }

    private static bool Release(Dictionary<string, int> silos, string siloId)
    {
        if (!silos.TryGetValue(siloId, out var count))
        {
            return false;
        }

        if (count <= 1)
        {
            silos.Remove(siloId);
        }
        else
        {
            silos[siloId] = count - 1;
        }

        return true;
    }

    private void ForgetDeadSilos(Dictionary<string, int> silos)
    {
        if (silos.Count == 0)
        {
            return;
        }

        var snapshot = membership.CurrentSnapshot;
        List<string>? dead = null;
        foreach (var siloId in silos.Keys)
        {
            if (snapshot.GetSiloStatus(SiloAddress.FromParsableString(siloId)) == SiloStatus.Dead)
            {
                (dead ??= []).Add(siloId);
            }
        }

        if (dead is null)
        {
            return;
        }

        var clientId = ClientId;
        foreach (var siloId in dead)
        {
            silos.Remove(siloId);
            LogDeadSiloForgotten(logger, clientId, siloId);
        }

        var connections = state.State.Connections;
        foreach (var (connectionId, siloId) in connections)
        {
            if (dead.Contains(siloId))
            {
                connections.Remove(connectionId);
            }
        }
    }
}
