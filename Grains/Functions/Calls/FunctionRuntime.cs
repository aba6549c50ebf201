using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SseVirtualization.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Functions.Calls;

/// <summary>
/// The concurrent half of one function on this silo: its routing (endpoints, health, breakers, retries), its
/// concurrency limit, the HTTP calls themselves, its statistics and the accepted async invocations it is running.
/// The function grain owns the registration; this owns what calls share.
/// </summary>
/// <remarks>
/// <para><b>Lifetime.</b> <see cref="FunctionCalls.Open"/> makes one for a function grain's activation, which
/// disposes it when it deactivates; so statistics and health start again when the grain is activated elsewhere.</para>
/// <para><b>Thread safety.</b> Every member may be called concurrently. The router in use is one immutable
/// reference swapped whole; the limiter, the running set and the statistics are thread-safe; endpoint counters are
/// <see cref="Interlocked"/>. Endpoint health is written by one check at a time and read without a lock, so a call
/// may see a check's result one call late.</para>
/// <para><b>Registration changes while calls are in flight.</b> <see cref="Use"/> builds a router for the new
/// registration and publishes it; a call takes the router current when it starts and keeps it to its end (its
/// endpoints, headers, retries and timeout). The replaced router is not disposed: with the same limits the new router
/// takes over its limiter (calls in flight and queued keep their places); with other limits the calls queued on the
/// old limiter drain under the old limit while new calls queue under the new one. <see cref="Stop"/> (the function
/// was deleted, or the grain deactivates) disposes the current limiter: calls still queued on it end throttled.</para>
/// </remarks>
internal sealed class FunctionRuntime : IDisposable
{
    private readonly FunctionInvoker _invoker;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly string _silo;
    private readonly FunctionStatisticsRecorder _statistics;
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);
    private FunctionRouter? _router;

    /// <param name="name">The function.</param>
    /// <param name="invoker">The pooled HTTP client, limits and telemetry every call shares.</param>
    /// <param name="loggers">For the Polly pipelines' telemetry.</param>
    /// <param name="time">The clock of breakers, retries and health checks.</param>
    /// <param name="silo">This silo's address, as status reports it.</param>
    public FunctionRuntime(string name, FunctionInvoker invoker, ILoggerFactory loggers, TimeProvider time, string silo)
    {
        Name = name;
        _invoker = invoker;
        _loggers = loggers;
        _time = time;
        _silo = silo;
        _statistics = new FunctionStatisticsRecorder(time.GetUtcNow());
    }

    public string Name { get; }

    /// <summary>The registration calls start on now; null before <see cref="Use"/> and after <see cref="Stop"/>.</summary>
    public FunctionDefinition? Definition => Volatile.Read(ref _router)?.Definition;

    /// <summary>Routes calls that start from now on by <paramref name="definition"/>, keeping what is known about unchanged endpoints.</summary>
    public void Use(FunctionDefinition definition)
    {
        var previous = Volatile.Read(ref _router);
        Volatile.Write(ref _router, new FunctionRouter(definition, _statistics, _loggers, _time, previous));
    }

    /// <summary>No registration any more: ends the current limiter (failing calls still queued on it).</summary>
    public void Stop() => Interlocked.Exchange(ref _router, null)?.Dispose();

    public void Dispose() => Stop();

    /// <summary>Calls the function and returns its whole answer; a streaming answer becomes a JSON array of its items.</summary>
    /// <exception cref="InvalidOperationException">No registration is in use (the grain checks first).</exception>
    public async Task<InvocationResult> CallAsync(InvocationRequest request)
    {
        await using var run = Start(request, relayed: false, CancellationToken.None);
        List<string>? items = null;
        await foreach (var item in run.ItemsAsync())
        {
            if (run.IsStreaming)
            {
                (items ??= []).Add(item); // a plain answer's one item is the result's data already
            }
        }

        var result = run.Result!;
        return run.IsStreaming && result.Success ? result with { DataJson = "[" + string.Join(',', items ?? []) + "]" } : result;
    }

    /// <summary>
    /// Calls the function and sends each item of its answer to <paramref name="client"/> as its own
    /// <c>function_result</c> event, as it arrives and no faster than the client's log takes it; the result carries
    /// the total instead of the data.
    /// </summary>
    public async Task<InvocationResult> RelayAsync(InvocationRequest request, IClientGrain client)
    {
        await using var run = Start(request, relayed: true, CancellationToken.None);
        var sent = 0;
        await foreach (var item in run.ItemsAsync())
        {
            await client.PublishAsync(ClientEventTypes.FunctionResult, InvocationItemJson.ToJson(request.RequestId!, Name, sent, item));
            sent++;
        }

        return run.RelayedResult(sent);
    }

    /// <summary>
    /// Starts a call whose items the caller reads one by one (<see cref="FunctionInvocation.ItemsAsync"/>) and
    /// passes on; the caller disposes it. Cancelling <paramref name="cancellationToken"/> ends the call.
    /// </summary>
    public FunctionInvocation StartRelayed(InvocationRequest request, CancellationToken cancellationToken) =>
        Start(request, relayed: true, cancellationToken);

    /// <summary>Marks an accepted async invocation as running here; false when it already is.</summary>
    public bool TryBeginRunning(string requestId) => _running.TryAdd(requestId, 0);

    /// <summary>The invocation ended here (its result delivered or not).</summary>
    public void EndRunning(string requestId) => _running.TryRemove(requestId, out _);

    /// <summary>Whether any accepted async invocation is running here.</summary>
    public bool RunsAny => !_running.IsEmpty;

    /// <summary>Whether this silo is running the invocation now; a client grain re-drives those no silo runs.</summary>
    public bool IsRunning(string requestId) => _running.ContainsKey(requestId);

    /// <summary>Endpoint health, statistics and load; null when no registration is in use.</summary>
    public FunctionStatus? Status() => Volatile.Read(ref _router) is { } router
        ? new FunctionStatus(router.Endpoints.Select(e => e.ToStatus()).ToList(), _statistics.Snapshot(), _statistics.Since, router.InFlight, router.Queued, _silo)
        : null;

    /// <summary>The counts, recent durations and endpoints of the calls made here, for adding up across silos.</summary>
    public FunctionUsage Usage() =>
        _statistics.Usage(Volatile.Read(ref _router) is { } router ? router.Endpoints.Select(e => e.ToStatus()).ToList() : []);

    /// <summary>Checks every endpoint of the current registration once; returns those whose health changed.</summary>
    public Task<IReadOnlyList<EndpointState>> CheckHealthAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _router) is { } router
            ? router.CheckHealthAsync(_invoker.HttpClient, _time, cancellationToken)
            : Task.FromResult<IReadOnlyList<EndpointState>>([]);

    private FunctionInvocation Start(InvocationRequest request, bool relayed, CancellationToken cancellationToken)
    {
        var router = Volatile.Read(ref _router)
            ?? throw new InvalidOperationException($"Function '{Name}' has no registration in use.");
        return _invoker.Start(router, _statistics, request, TimeoutOf(request, router.Definition), relayed, cancellationToken);
    }

    private TimeSpan TimeoutOf(InvocationRequest request, FunctionDefinition definition)
    {
        var timeout = request.Timeout ?? definition.Timeout;
        var max = _invoker.Options.MaxTimeout;
        return timeout > max ? max : timeout;
    }
}
