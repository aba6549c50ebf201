using Orleans.Concurrency;

namespace SseVirtualization.Grains.Functions.Calls;

/// <summary>Where a silo reads the registration its local calls use (<see cref="LocalFunctionCalls"/>): the function's grain.</summary>
internal interface ILocalCallSource : IGrainWithStringKey
{
    /// <summary>
    /// The registration in use, as stored (secrets encrypted: they stay so on the wire and are decrypted by the silo that
    /// calls); null when the function is not registered.
    /// </summary>
    [AlwaysInterleave]
    Task<FunctionState?> GetForLocalCallsAsync();
}
