using SseVirtualization.Functions;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Functions;

/// <summary>This silo's copies of function registrations, as function grains reach them (<see cref="ISiloFunctionsGrain"/>).</summary>
[SiloBoundPlacement]
internal sealed class SiloFunctionsGrain(ILocalFunctionCalls local) : Grain, ISiloFunctionsGrain
{
    public Task ForgetAsync(string name)
    {
        local.Forget(name);
        return Task.CompletedTask;
    }

    public Task<bool> IsRunningAsync(string name, string requestId) => Task.FromResult(local.IsRunning(name, requestId));

    public Task<FunctionUsage?> GetUsageAsync(string name) => Task.FromResult(local.UsageOf(name));
}
