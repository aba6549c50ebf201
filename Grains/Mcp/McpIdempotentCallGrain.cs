using SseVirtualization.Grains.Hosting;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// One idempotency key. Claims and answers one at a time; waiting interleaves. A claim whose caller vanished (its silo
/// died mid-call) lapses after <see cref="Lease"/>, and the next repeat runs the call; a lapsed claim's late answer is
/// ignored. (A call that waits long for its client's answers can outlive the lease: a repeat then runs it again.)
/// </summary>
internal sealed class McpIdempotentCallGrain(
    [PersistentState("mcp-idempotent-call", StorageNames.McpSessions)] IPersistentState<McpIdempotentCallState> state,
    TimeProvider time)
    : Grain, IMcpIdempotentCallGrain
{
    /// <summary>The longest function or MCP server timeout (15 min) and some slack.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(16);

    private TaskCompletionSource<string?>? _answer;

    private McpIdempotentCallState State => state.State;

    public async Task<McpIdempotentClaim> ClaimAsync(string fingerprint, TimeSpan window)
    {
        var now = time.GetUtcNow();
        if (State.AnswerJson is { } answer && now - State.CompletedAt < window)
        {
            return State.Fingerprint == fingerprint ? new(McpIdempotentClaimKind.Stored, answer) : new(McpIdempotentClaimKind.Conflict);
        }

        if (State.Fingerprint is not null && State.AnswerJson is null && now - State.ClaimedAt < Lease)
        {
            return State.Fingerprint == fingerprint ? new(McpIdempotentClaimKind.InFlight) : new(McpIdempotentClaimKind.Conflict);
        }

        var claimId = Guid.NewGuid().ToString("N");
        state.State = new McpIdempotentCallState { Fingerprint = fingerprint, ClaimedAt = now, ClaimId = claimId };
        await state.WriteStateAsync();
        _answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new(McpIdempotentClaimKind.Run, ClaimId: claimId);
    }

    public async Task CompleteAsync(string claimId, string answerJson)
    {
        if (State.ClaimId != claimId)
        {
            return; // the claim lapsed and another call holds the key: its answer counts
        }

        State.AnswerJson = answerJson;
        State.CompletedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        Answer().TrySetResult(answerJson);
    }

    public async Task AbandonAsync(string claimId)
    {
        if (State.ClaimId != claimId)
        {
            return;
        }

        await state.ClearStateAsync();
        Answer().TrySetResult(null);
        _answer = null;
    }

    public async Task<string?> WaitAsync()
    {
        if (State.AnswerJson is { } answer)
        {
            return answer;
        }

        if (State.Fingerprint is null)
        {
            return null; // abandoned
        }

        // Bounded by the lease: a caller whose silo died never completes.
        var left = Lease - (time.GetUtcNow() - State.ClaimedAt);
        try
        {
            return left > TimeSpan.Zero ? await Answer().Task.WaitAsync(left, time) : null;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The answer waiters wait on (made anew when this activation did not see the claim).</summary>
    private TaskCompletionSource<string?> Answer() =>
        _answer ??= new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
}
