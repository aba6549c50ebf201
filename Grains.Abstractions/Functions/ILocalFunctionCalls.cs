namespace SseVirtualization.Functions;

/// <summary>
/// Calls functions from the silo a request arrived at, with no message to the function's grain, wherever the
/// registration needs nothing kept in one place in the cluster: no <c>max_concurrency</c> (a cluster-wide limit) and no
/// health checks. The silo's service (one per silo); the gateway tries it first for every invocation but a streamed one.
/// </summary>
/// <remarks>
/// Each silo keeps a copy of the registration, read from the function's grain on first use and again after
/// <see cref="Forget"/>, which the grain has every silo do before a registration change returns. So a call never starts
/// with a registration older than the last change that returned. Statistics and circuit breakers are per silo here; the
/// grain's status adds the silos' figures up.
/// </remarks>
public interface ILocalFunctionCalls
{
    /// <summary>
    /// Runs a sync invocation here and returns its result (sent to the client's stream too when the request names one),
    /// or has the client's grain accept an async one and run it on its silo (the answer: accepted or throttled); null
    /// when this function's calls go through its grain (streamed, limited, health-checked, not registered).
    /// </summary>
    ValueTask<InvocationResult?> TryInvokeAsync(string name, InvocationRequest request);

    /// <summary>Whether this silo is running the accepted async invocation <paramref name="requestId"/> of <paramref name="name"/> now.</summary>
    bool IsRunning(string name, string requestId);

    /// <summary>Drops this silo's copy of the registration: the next call reads it from the grain again.</summary>
    void Forget(string name);

    /// <summary>What the calls made here count since this silo first called the function; null when none were.</summary>
    FunctionUsage? UsageOf(string name);
}
