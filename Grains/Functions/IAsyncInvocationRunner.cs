using Orleans.Concurrency;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// The function grain's own one-way entry point for accepted async invocations: running them as a grain
/// request (rather than a detached task) keeps the activation alive until the call and its delivery finish.
/// </summary>
internal interface IAsyncInvocationRunner : IGrainWithStringKey
{
    [OneWay, AlwaysInterleave]
    Task RunAsync(InvocationRequest request);
}
