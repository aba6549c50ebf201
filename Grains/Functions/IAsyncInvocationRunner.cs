using Orleans.Concurrency;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// The function grain's entry points for accepted async invocations. Running them as grain requests (rather
/// than detached tasks) keeps the activation alive until the call and its delivery finish. They interleave and
/// write no grain state: the set of running invocations is the activation's <see cref="Calls.FunctionRuntime"/>'s.
/// </summary>
internal interface IAsyncInvocationRunner : IGrainWithStringKey
{
    [OneWay, AlwaysInterleave]
    Task RunAsync(InvocationRequest request);

    /// <summary>Starts the invocation unless this activation is running it; <c>true</c> when it had to start it.</summary>
    [AlwaysInterleave]
    Task<bool> EnsureRunningAsync(InvocationRequest request);

    /// <summary>Whether this activation is running the invocation now.</summary>
    [AlwaysInterleave]
    Task<bool> IsRunningAsync(string requestId);
}
