using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Clients;

/// <summary>What the client's ledger made of an async invocation.</summary>
internal enum LedgerAcceptance
{
    /// <summary>Recorded: the caller may run it.</summary>
    Accepted = 0,

    /// <summary>That request id is pending or answered already: do not run it again.</summary>
    Duplicate = 1,

    /// <summary>Too many invocations of this client are unanswered (<see cref="ClientOptions.MaxPendingInvocations"/>).</summary>
    Full = 2,
}

/// <summary>The caller's answer for each <see cref="LedgerAcceptance"/>.</summary>
internal static class LedgerAcceptanceResults
{
    /// <summary>Throttled when the client has too many unanswered invocations; accepted otherwise (a repeat is accepted again, not run again).</summary>
    public static InvocationResult ToResult(this LedgerAcceptance acceptance, string function, InvocationRequest request) =>
        acceptance == LedgerAcceptance.Full
            ? new InvocationResult(request.RequestId!, function, InvocationOutcome.Throttled, 0, null,
                $"client '{request.ClientId}' has too many unanswered invocations", 0)
            : new InvocationResult(request.RequestId!, function, InvocationOutcome.Accepted, 0, null, null, 0);
}
