using Orleans.Concurrency;

namespace SseVirtualization.Functions;

/// <summary>
/// One silo's copies of function registrations (<see cref="ILocalFunctionCalls"/>), as the function grains reach them
/// (key: the silo's id; always activated on that silo).
/// </summary>
public interface ISiloFunctionsGrain : IGrainWithStringKey
{
    /// <summary>The registration of <paramref name="name"/> changed: drop the silo's copy before the change returns.</summary>
    [AlwaysInterleave]
    Task ForgetAsync(string name);

    /// <summary>Whether this silo is running the accepted async invocation now (a client grain's re-drive asks).</summary>
    [AlwaysInterleave]
    Task<bool> IsRunningAsync(string name, string requestId);

    /// <summary>The figures of the calls this silo ran itself; null when none.</summary>
    [AlwaysInterleave]
    Task<FunctionUsage?> GetUsageAsync(string name);
}
