using SseVirtualization.Functions;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>How the front end calls a function: on this silo where the registration allows, through its grain otherwise.</summary>
internal static class FunctionInvocations
{
    /// <summary>
    /// The result of a sync call, or the answer to an async one (accepted, throttled), made with this silo's copy of the
    /// registration (<see cref="ILocalFunctionCalls"/>) when its calls need no grain, else by the function's grain.
    /// </summary>
    public static async Task<InvocationResult> InvokeAsync(this ILocalFunctionCalls local, IGrainFactory grains, string name, InvocationRequest request) =>
        await local.TryInvokeAsync(name, request) ?? await grains.ReferenceTo<IFunctionGrain>(name).InvokeAsync(request);
}
