using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;

namespace SseVirtualization.Grains.Functions.Calls;

/// <summary>
/// This silo's copies of function registrations and the calls it makes with them, with no message to the function's
/// grain (<see cref="ILocalFunctionCalls"/>): a singleton, one per silo.
/// </summary>
/// <remarks>
/// <para><b>Which functions.</b> Registrations that need nothing kept in one place: no <c>max_concurrency</c> (the
/// limit is cluster-wide, so its grain keeps it) and no health checks (one prober per function, not per silo). MCP
/// servers and streamed calls go through the grain.</para>
/// <para><b>Async calls.</b> The client's grain records the invocation (<see cref="IInvocationLedger.AcceptAndRunAsync"/>)
/// and its silo runs it here (<see cref="RunAccepted"/>), apart from any activation; the result goes back to the client's
/// grain, usually on this silo too. The client's re-drive asks <see cref="IsRunning"/> before it starts the call again.
/// A silo that stops waits for its runs (as a deactivating function grain waits for its own).</para>
/// <para><b>Freshness.</b> A copy is read from the grain on first use and again after <see cref="Forget"/>, which the
/// grain has every active silo do before a registration change returns; a read that started before a notice is thrown
/// away (its call goes through the grain). A copy not renewed for <see cref="Refresh"/> is read again, which bounds
/// how stale a silo the notice missed can be.</para>
/// <para><b>Figures.</b> Each function's calls here have their own <see cref="FunctionRuntime"/> (statistics, breakers,
/// load balancing), kept for the silo's lifetime; the grain's status adds every silo's up.</para>
/// </remarks>
internal sealed partial class LocalFunctionCalls(
    IGrainFactory grains, FunctionCalls calls, FunctionSecrets secrets, TimeProvider time, ILogger<LocalFunctionCalls> logger)
    : ILocalFunctionCalls, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How long a copy serves without news from its grain before it is read again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LocalFunction> _functions = new(StringComparer.Ordinal);
    private readonly RunningTasks _runs = new();

    public async ValueTask<InvocationResult?> TryInvokeAsync(string name, InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Stream || (request.Async && request.ClientId is null))
        {
            return null;
        }

        var function = FunctionNamed(name);
        if (!await function.ReadyAsync(ReadAsync))
        {
            if (function.Unknown)
            {
                // A name nobody registered (a typo, or a caller trying names) keeps nothing here: the grain answers 404.
                _functions.TryRemove(KeyValuePair.Create(name, function));
            }

            return null;
        }

        request = request.RequestId is null ? request with { RequestId = Guid.NewGuid().ToString() } : request;
        if (request.Async)
        {
            return await AcceptAsync(name, request);
        }

        var result = await function.Runtime.CallAsync(request);
        await InvocationLog.FinishAsync(grains, logger, request, result);
        return result;
    }

    /// <summary>Runs an invocation the client's ledger accepted, here and in the background; its result settles the ledger entry.</summary>
    public void RunAccepted(PendingInvocation invocation)
    {
        var function = FunctionNamed(invocation.Function);
        if (function.Runtime.TryBeginRunning(invocation.Request.RequestId!))
        {
            _runs.Track(Task.Run(() => RunAsync(function, invocation.Request)));
        }
    }

    /// <summary>Whether this silo runs the accepted invocation now (<see cref="RunAccepted"/>).</summary>
    public bool IsRunning(string name, string requestId) =>
        _functions.TryGetValue(name, out var function) && function.Runtime.IsRunning(requestId);

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

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocalFunctionCalls), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _runs.WhenAllAsync);

    public void Dispose()
    {
        foreach (var function in _functions.Values)
        {
            function.Runtime.Dispose();
        }
    }

    private LocalFunction FunctionNamed(string name) =>
        _functions.GetOrAdd(name, static (name, calls) => new LocalFunction(calls.Open(name)), calls);

    /// <summary>Has the client's grain record the invocation and run it on its silo: one grain call, on the way to the client.</summary>
    private async Task<InvocationResult?> AcceptAsync(string name, InvocationRequest request)
    {
        LedgerAcceptance acceptance;
        try
        {
            acceptance = await grains.GetGrain<IInvocationLedger>(request.ClientId!)
                .AcceptAndRunAsync(new PendingInvocation(name, request, time.GetUtcNow(), Attempts: 1));
        }
        catch (TypeLoadException)
        {
            // The client's grain is on a silo of the previous release, which cannot read the call (nothing was
            // recorded): the function's grain accepts it as that release does.
            return null;
        }

        return acceptance.ToResult(name, request);
    }

    private async Task RunAsync(LocalFunction function, InvocationRequest request)
    {
        var requestId = request.RequestId!;
        try
        {
            if (await function.ReadyAsync(ReadAsync))
            {
                var result = await function.Runtime.CallAsync(request);
                await InvocationLog.FinishAsync(grains, logger, request, result);
            }
            else
            {
                // Changed since the gateway looked (a limit, a health check, deleted): its grain runs it, as re-drives do.
                await grains.GetGrain<IAsyncInvocationRunner>(function.Runtime.Name).EnsureRunningAsync(request);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The result stays pending in the client's ledger, which re-drives the invocation.
            LogRunFailed(logger, ex, function.Runtime.Name, requestId);
        }
        finally
        {
            function.Runtime.EndRunning(requestId);
        }
    }

    /// <summary>The registration to call <paramref name="name"/> with here, decrypted; none when its calls go through its grain.</summary>
    private async Task<LocalRegistration> ReadAsync(string name)
    {
        try
        {
            var stored = await grains.GetGrain<ILocalCallSource>(name).GetForLocalCallsAsync();
            if (stored?.Function is not { IsActive: true } function)
            {
                return new LocalRegistration(null, Registered: false);
            }

            if (function.Definition is not { IsMcpServer: false, Routing: { MaxConcurrency: 0, HealthCheck: null } })
            {
                return new LocalRegistration(null, Registered: true);
            }

            var headers = stored.ProtectedHeaders is { } protectedHeaders ? secrets.Unprotect(protectedHeaders) : function.Definition.Headers;
            var endpoints = stored.ProtectedEndpoints is { } protectedEndpoints ? secrets.UnprotectEndpoints(protectedEndpoints) : function.Definition.Endpoints;
            return new LocalRegistration(function with { Definition = function.Definition with { Headers = headers, Endpoints = endpoints } }, Registered: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The grain path answers for it (and logs an unreadable secret once, as the grain's own concern).
            LogReadFailed(logger, ex, name);
            return new LocalRegistration(null, Registered: true);
        }
    }

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Function {Name}: this silo could not read its registration to call it here; its calls go through its grain")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: the accepted invocation failed here before its result was delivered; the client's ledger runs it again")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string name, string requestId);
}
