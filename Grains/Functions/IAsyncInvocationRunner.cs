using Orleans.Concurrency;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// The function grain's entry points for accepted async invocations, called by the client's ledger when it re-drives
/// one. They interleave and write no grain state: the set of running invocations is the activation's
/// <see cref="Calls.FunctionRuntime"/>'s, and the runs themselves are the grain's own work, which it stays active for.
/// </summary>
internal interface IAsyncInvocationRunner : IGrainWithStringKey
{
    /// <summary>Starts the invocation unless this activation is running it. The previous release's grain sent it to itself.</summary>
    [OneWay, AlwaysInterleave]
    Task RunAsync(InvocationRequest request);

    /// <summary>Starts the invocation unless this activation is running it; <c>true</c> when it had to start it.</summary>
    [AlwaysInterleave]
    Task<bool> EnsureRunningAsync(InvocationRequest request);

    /// <summary>Whether this activation is running the invocation now.</summary>
    [AlwaysInterleave]
    Task<bool> IsRunningAsync(string requestId);
}
