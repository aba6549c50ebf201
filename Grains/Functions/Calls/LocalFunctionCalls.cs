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
/// and its silo runs it here (<see cref="TryReserve"/>, <see cref="Start"/>), apart from any activation; the result goes back to the client's
/// grain, usually on this silo too. The ledger records which silo runs it (<see cref="PendingInvocation.RunningOn"/>),
/// and its re-drive asks that silo (<see cref="IsRunning"/>) before it starts the call again. A silo that stops takes no
/// more runs and waits for its own (as a deactivating function grain waits for its own).</para>
/// <para><b>Freshness.</b> A copy is read from the grain on first use and again after <see cref="Forget"/>, which the
/// grain has every active silo do before a registration change returns; a read that started before a notice is thrown
/// away (its call goes through the grain). A copy not renewed for <see cref="Refresh"/> is read again, which bounds
/// how stale a silo the notice missed can be.</para>
/// <para><b>Figures.</b> Each function's calls here have their own <see cref="FunctionRuntime"/> (statistics, breakers,
/// load balancing), kept for the silo's lifetime; the grain's status adds every silo's up.</para>
/// </remarks>
internal sealed partial class LocalFunctionCalls(
    IGrainFactory grains, FunctionCalls calls, FunctionSecrets secrets, TimeProvider time, ILocalSiloDetails silo, ILogger<LocalFunctionCalls> logger)
    : ILocalFunctionCalls, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How long a copy serves without news from its grain before it is read again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LocalFunction> _functions = new(StringComparer.Ordinal);
    private readonly RunningTasks _runs = new();
    private volatile bool _stopping;

    /// <summary>This silo's id, as <see cref="PendingInvocation.RunningOn"/> records it.</summary>
    public string SiloId { get; } = silo.SiloAddress.ToParsableString();

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
            if (function.Unknown && !function.Runtime.RunsAny)
            {
                // A name nobody registered (a typo, a caller trying names) or one deleted keeps nothing here: the grain
                // answers 404. Calls still on its runtime finish with the router they hold.
                if (_functions.TryRemove(KeyValuePair.Create(name, function)))
                {
                    function.Runtime.Dispose();
                }
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

    /// <summary>
    /// Marks an invocation the client's ledger is about to record as running here, before the record is written, so
    /// the ledger's re-drive (which interleaves with the write) does not start it too. False when this silo is stopping
    /// (the function's grain runs it) or runs it already.
    /// </summary>
    public bool TryReserve(PendingInvocation invocation) =>
        !_stopping && FunctionNamed(invocation.Function).Runtime.TryBeginRunning(invocation.Request.RequestId!);

    /// <summary>The ledger did not record it (a repeat, a full ledger, a failed write): no run.</summary>
    public void Release(PendingInvocation invocation) => FunctionNamed(invocation.Function).Runtime.EndRunning(invocation.Request.RequestId!);

    /// <summary>Runs a reserved invocation the client's ledger recorded, here and in the background; its result settles the ledger entry.</summary>
    public void Start(PendingInvocation invocation)
    {
        var function = FunctionNamed(invocation.Function);
        _runs.Track(Task.Run(() => RunAsync(function, invocation.Request)));
    }

    /// <summary>Whether this silo runs the accepted invocation now (<see cref="Start"/>).</summary>
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
        lifecycle.Subscribe(nameof(LocalFunctionCalls), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);

    /// <summary>A stopping silo takes no more runs (the function's grain runs those) and waits for its own, as a deactivating function grain does.</summary>
    private async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        while (_runs.Any && !cancellationToken.IsCancellationRequested)
        {
            await _runs.WhenAllAsync(cancellationToken);
        }
    }

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
            acceptance = await grains.ReferenceTo<IInvocationLedger>(request.ClientId!)
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
                await grains.ReferenceTo<IAsyncInvocationRunner>(function.Runtime.Name).EnsureRunningAsync(request);
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
            var stored = await grains.ReferenceTo<ILocalCallSource>(name).GetForLocalCallsAsync();
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
}
