using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions.Calls;

/// <summary>
/// This silo's copies of function registrations and the calls it makes with them, with no message to the function's
/// grain (<see cref="ILocalFunctionCalls"/>): a singleton, one per silo.
/// </summary>
/// <remarks>
/// <para><b>Which functions.</b> Registrations that need nothing kept in one place: no <c>max_concurrency</c> (the
/// limit is cluster-wide, so its grain keeps it) and no health checks (one prober per function, not per silo). MCP
/// servers, async and streamed calls go through the grain too.</para>
/// <para><b>Freshness.</b> A copy is read from the grain on first use and again after <see cref="Forget"/>, which the
/// grain has every active silo do before a registration change returns; a read that started before a notice is thrown
/// away (its call goes through the grain). A copy not renewed for <see cref="Refresh"/> is read again, which bounds
/// how stale a silo the notice missed can be.</para>
/// <para><b>Figures.</b> Each function's calls here have their own <see cref="FunctionRuntime"/> (statistics, breakers,
/// load balancing), kept for the silo's lifetime; the grain's status adds every silo's up.</para>
/// </remarks>
internal sealed partial class LocalFunctionCalls(IGrainFactory grains, FunctionCalls calls, FunctionSecrets secrets, ILogger<LocalFunctionCalls> logger)
    : ILocalFunctionCalls, IDisposable
{
    /// <summary>How long a copy serves without news from its grain before it is read again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LocalFunction> _functions = new(StringComparer.Ordinal);

    public async ValueTask<InvocationResult?> TryInvokeAsync(string name, InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Async || request.Stream)
        {
            return null;
        }

        var function = _functions.GetOrAdd(name, static (name, calls) => new LocalFunction(calls.Open(name)), calls);
        if (!await function.ReadyAsync(ReadAsync))
        {
            return null;
        }

        request = request.RequestId is null ? request with { RequestId = Guid.NewGuid().ToString() } : request;
        var result = await function.Runtime.CallAsync(request);
        await InvocationLog.FinishAsync(grains, logger, request, result);
        return result;
    }

    public void Forget(string name)
    {
        if (_functions.TryGetValue(name, out var function))
        {
            function.Forget();
        }
    }

    public FunctionUsage? UsageOf(string name) =>
        _functions.TryGetValue(name, out var function) && function.Runtime.Usage() is { } usage
            && (usage.Invocations > 0 || usage.Endpoints.Any(e => e.Outstanding > 0))
            ? usage
            : null;

    public void Dispose()
    {
        foreach (var function in _functions.Values)
        {
            function.Runtime.Dispose();
        }
    }

    /// <summary>The registration to call <paramref name="name"/> with here, decrypted; null when its calls go through its grain.</summary>
    private async Task<RegisteredFunction?> ReadAsync(string name)
    {
        try
        {
            var stored = await grains.GetGrain<ILocalCallSource>(name).GetForLocalCallsAsync();
            if (stored?.Function is not { IsActive: true, Definition: { IsMcpServer: false, Routing: { MaxConcurrency: 0, HealthCheck: null } } } function)
            {
                return null;
            }

            var headers = stored.ProtectedHeaders is { } protectedHeaders ? secrets.Unprotect(protectedHeaders) : function.Definition.Headers;
            var endpoints = stored.ProtectedEndpoints is { } protectedEndpoints ? secrets.UnprotectEndpoints(protectedEndpoints) : function.Definition.Endpoints;
            return function with { Definition = function.Definition with { Headers = headers, Endpoints = endpoints } };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The grain path answers for it (and logs an unreadable secret once, as the grain's own concern).
            LogReadFailed(logger, ex, name);
            return null;
        }
    }

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Function {Name}: this silo could not read its registration to call it here; its calls go through its grain")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string name);
}
