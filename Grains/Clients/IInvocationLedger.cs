using Orleans.Concurrency;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// The client grain's record of async invocations made for it: accepted durably before the caller gets 202,
/// settled by exactly one result, re-driven while unsettled. Internal to the grains.
/// </summary>
// Version 1 adds AcceptAndRunAsync (see docs/deploy.md: a silo of the previous release cannot read it).
[Orleans.CodeGeneration.Version(1)]
internal interface IInvocationLedger : IGrainWithStringKey
{
    /// <summary>
    /// Records an accepted async invocation (persisted before returning). A repeated request id (still pending,
    /// or already answered recently) is not recorded again and must not start a second run.
    /// </summary>
    Task<LedgerAcceptance> AcceptAsync(PendingInvocation invocation);

    /// <summary>
    /// Records an accepted async invocation as <see cref="AcceptAsync"/> does, then has this grain's silo run it
    /// (<see cref="Functions.Calls.LocalFunctionCalls"/>): the result is stored one local call away from the run.
    /// </summary>
    Task<LedgerAcceptance> AcceptAndRunAsync(PendingInvocation invocation);

    /// <summary>
    /// Adds an invocation's result to the client's log and delivers it. With <paramref name="settlesPending"/>,
    /// only the first result for a pending request id is kept; later ones (a re-driven call finishing twice)
    /// are dropped and null is returned.
    /// </summary>
    Task<bool> PublishResultAsync(string requestId, string resultJson, bool settlesPending);

    /// <summary>Counts one more start of a pending invocation (called by the grain's own re-drive timer, so the write
    /// queues behind other requests instead of racing them).</summary>
    Task RecordAttemptAsync(string requestId);

    /// <summary>How many accepted invocations still wait for a result.</summary>
    [AlwaysInterleave]
    Task<int> GetPendingCountAsync();
}
