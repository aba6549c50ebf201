using Orleans.Storage;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// Retention by age: reads hide events older than <see cref="ClientOptions.MaxEventAge"/>, and this deletes them from
/// storage. A reminder is registered while the log holds events (once per stretch of activity, flagged in the client's
/// record), so a client that never comes back is still swept: its grain is woken when its oldest segment expires, then at
/// most every <see cref="ClientOptions.ExpirySweepInterval"/>, and the reminder is removed once the log is empty. What
/// is left of such a client is its small record, which keeps the numbering (see <see cref="ClientEventLog.StartEmptyHead"/>).
/// </summary>
internal sealed partial class ClientGrain : IClientLogExpiry
{
    private const string ExpiryReminder = "expire-events";

    public async Task SweepExpiredAsync()
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var notBefore = now - settings.MaxEventAge;
        var current = state.State;
        try
        {
            if (_log.HeadExpired(notBefore))
            {
                // Recorded before the old head is deleted: an activation that found neither the old head nor this record
                // would number from the start of the old head's segment again.
                current.SkippedAfterId = _log.StartEmptyHead();
                current.HeadSegment = _log.HeadIndex;
                await state.WriteStateAsync();
            }
            else
            {
                await _log.TrimHeadAsync(notBefore);
            }

            var (oldestKept, nextExpiring) = await _log.DeleteExpiredAsync(current.OldestSegment, notBefore);
            var changed = oldestKept > current.OldestSegment;
            current.OldestSegment = Math.Max(current.OldestSegment, oldestKept);
            if (nextExpiring is null && current.ExpiryReminderSet)
            {
                // Stored before the reminder goes: the other way round, a failed write would leave the flag set and no
                // reminder, and the next events would never be swept.
                current.ExpiryReminderSet = false;
                changed = true;
            }

            if (changed)
            {
                await state.WriteStateAsync();
            }

            if (nextExpiring is null)
            {
                await UnregisterExpiryReminderAsync();
                LogLogExpired(logger, ClientId, _log.LastEventId);
            }
            else if (nextExpiring.Value + settings.MaxEventAge - now is var due && due > settings.ExpirySweepInterval)
            {
                // Nothing to delete before then: one wake-up when the oldest kept segment expires, not one an interval.
                await this.RegisterOrUpdateReminder(ExpiryReminder, due, settings.ExpirySweepInterval);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Memory may be ahead of storage (a new head not recorded): the next activation reads what is stored.
            LogSweepFailed(logger, ex, ClientId);
            if (ex is InconsistentStateException)
            {
                OnStorageConflict();
            }
            else
            {
                DeactivateOnIdle();
            }

            throw;
        }
    }

    /// <summary>
    /// Registers the sweep's reminder if the record says it is not, first firing after <paramref name="firstSweep"/>.
    /// Returns whether the flag changed, so the caller writes the record. A failure is logged and retried with the next
    /// event or activation: the event itself is stored.
    /// </summary>
    private async Task<bool> EnsureExpiryReminderAsync(TimeSpan firstSweep)
    {
        if (state.State.ExpiryReminderSet)
        {
            return false;
        }

        try
        {
            await this.RegisterOrUpdateReminder(ExpiryReminder, firstSweep, options.Value.ExpirySweepInterval);
            state.State.ExpiryReminderSet = true;
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogExpiryReminderFailed(logger, ex, ClientId);
            return false;
        }
    }

    /// <summary>A log stored before the sweep existed (or whose record an older release rewrote) gets its reminder here.</summary>
    private async Task EnsureExpiryReminderOnActivationAsync()
    {
        if (_log.IsEmpty(state.State.OldestSegment) || !await EnsureExpiryReminderAsync(options.Value.ExpirySweepInterval))
        {
            return;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The flag is stored with the record's next write; until then a later activation registers again.
            LogExpiryReminderFailed(logger, ex, ClientId);
        }
    }

    private async Task UnregisterExpiryReminderAsync()
    {
        var reminder = await this.GetReminder(ExpiryReminder);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// Ids after <see cref="ClientState.SkippedAfterId"/> up to the end of its segment were never issued: a client that
    /// resumes from one of them (or from that id) has missed nothing before the end.
    /// </summary>
    private long SkipUnissued(long afterId)
    {
        var skipped = state.State.SkippedAfterId;
        if (skipped <= 0 || afterId < skipped)
        {
            return afterId;
        }

        var end = (_log.SegmentOf(skipped) + 1) * state.State.SegmentSize;
        return afterId < end ? end : afterId;
    }
}
