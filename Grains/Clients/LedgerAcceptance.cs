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
