using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Functions.Calls;
using SseVirtualization.Grains.Functions.Routing;
using SseVirtualization.Grains.Hosting;
using System.Runtime.CompilerServices;
using SseVirtualization.Clients;
using SseVirtualization.Grains.Mcp;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// One registered function: the grain owns the registration and its stored state; its <see cref="FunctionRuntime"/>
/// (from the silo's <see cref="FunctionCalls"/>) owns the calls.
/// </summary>
/// <remarks>
/// One concurrency story: registration, update, delete and the reads are plain grain calls, so they run one at a
/// time and need no lock. Only the invocation entry points interleave (<c>[AlwaysInterleave]</c>, so calls do not
/// queue behind each other or behind a slow function); they write no grain state, and read only
/// <see cref="_function"/>, which a registration change replaces whole in the same turn as it hands the new
/// registration to the runtime. A call keeps the registration it started with to its end (see
/// <see cref="FunctionRuntime"/>). Reasoning: docs/architecture.md, "One concurrency story per grain".
/// </remarks>
internal sealed partial class FunctionGrain(
    [PersistentState("function", StorageNames.Grains)] IPersistentState<FunctionState> state,
    FunctionCalls calls,
    IOptions<FunctionOptions> options,
    TimeProvider time,
    FunctionSecrets secrets,
    McpCatalogNotifier catalog,
    IClusterMembershipService membership,
    ILogger<FunctionGrain> logger)
    : Grain, IFunctionGrain, IAsyncInvocationRunner, ILocalCallSource, IDisposable
{
    // Opened in OnActivateAsync, before any call: interleaved calls only read it.
    private FunctionRuntime _runtime = null!;

    // The registration with its header values and endpoint queries in clear; storage holds them encrypted (FunctionSecrets).
    private RegisteredFunction? _function;

    // _function as stored (secrets encrypted), for the silos that call it themselves (ILocalCallSource); set with it.
    private FunctionState? _forLocalCalls;
    private IGrainTimer? _healthTimer;

    // Accepted async invocations running in this activation (StartRunning).
    private readonly RunningTasks _runs = new();

    /// <summary>Beyond the longest call: time to hand its result to the client's ledger.</summary>
    private static readonly TimeSpan RunDeliveryAllowance = TimeSpan.FromMinutes(1);

    /// <summary>One slow or dying silo must not hold a registration change or a status for Orleans' 30 s response timeout.</summary>
    private static readonly TimeSpan SiloAskTimeout = TimeSpan.FromSeconds(3);

    private string Name => this.GetPrimaryKeyString();

    public async Task<RegistrationResult> RegisterAsync(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!string.Equals(definition.Name, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Definition name '{definition.Name}' does not match grain key '{Name}'.", nameof(definition));
        }

        if (await EgressRefusalAsync(definition.Endpoints) is { } refused)
        {
            return RegistrationResult.Refused(refused);
        }

        // Concrete collections: grain storage may record the runtime type of each one.
        definition = definition with
        {
            Endpoints = definition.Endpoints.ToList(),
            Headers = new Dictionary<string, string>(definition.Headers, StringComparer.OrdinalIgnoreCase),
        };
        var now = time.GetUtcNow();
        var protectedHeaders = definition.Headers.Count == 0 ? null : secrets.Protect(definition.Headers);
        var protectedEndpoints = definition.Endpoints.Any(EndpointRedaction.HasSecrets) ? secrets.ProtectEndpoints(definition.Endpoints) : null;
        var existing = state.State.Function;
        var existingSecrets = state.State.ProtectedHeaders;
        var existingEndpoints = state.State.ProtectedEndpoints;
        var registered = new RegisteredFunction(definition, existing?.CreatedAt ?? now, now, IsActive: true);
        var stored = registered with
        {
            Definition = definition with
            {
                Headers = FunctionSecrets.Redact(definition.Headers),
                Endpoints = definition.Endpoints.Select(EndpointRedaction.Redact).ToList(),
            },
        };
        try
        {
            state.State.Function = stored;
            state.State.ProtectedHeaders = protectedHeaders;
            state.State.ProtectedEndpoints = protectedEndpoints;
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Memory never runs ahead of storage; after a conflicting writer, reload on the next call.
            state.State.Function = existing;
            state.State.ProtectedHeaders = existingSecrets;
            state.State.ProtectedEndpoints = existingEndpoints;
            if (ex is Orleans.Storage.InconsistentStateException)
            {
                DeactivateOnIdle();
            }

            throw;
        }

        _function = registered;
        _forLocalCalls = new FunctionState { Function = stored, ProtectedHeaders = protectedHeaders, ProtectedEndpoints = protectedEndpoints };
        UseRouting(definition);
        await ForgetLocalCopiesAsync();
        await GrainFactory.GetGrain<IFunctionRegistryGrain>(0).AddAsync(Name);
        await OnRegistrationChangedAsync(existing?.Definition, definition);
        // Only scheme, host and path: query strings often carry keys (e.g. Azure Functions' ?code=).
        var loggedEndpoint = string.Join(", ", definition.Endpoints.Select(e => e.GetLeftPart(UriPartial.Path)));
        LogRegistered(logger, Name, loggedEndpoint);
        return new RegistrationResult(stored, Created: existing is null);
    }

    /// <summary>The first endpoint the egress policy refuses (Functions:AllowLoopback, AllowPrivateNetworks), as a typed answer.</summary>
    private async Task<RegistrationRefusal?> EgressRefusalAsync(IReadOnlyList<Uri> endpoints)
    {
        var settings = options.Value;
        foreach (var endpoint in endpoints)
        {
            if (await EgressPolicy.EndpointRefusalAsync(endpoint, settings.AllowLoopback, settings.AllowPrivateNetworks) is { } reason)
            {
                return new RegistrationRefusal(
                    RegistrationRefusal.EndpointsField,
                    $"{endpoint.GetLeftPart(UriPartial.Path)} is refused: its host {endpoint.Host} is, or resolves to, {reason}. See docs/functions.md, egress.");
            }
        }

        return null;
    }

    /// <summary>The registration as stored: header values and endpoint query values are never handed out.</summary>
    public Task<RegisteredFunction?> GetAsync() => Task.FromResult(state.State.Function is { } stored
        ? stored with { Definition = stored.Definition with { Endpoints = stored.Definition.Endpoints.Select(EndpointRedaction.Redact).ToList() } }
        : null); // redacted again for registrations stored before query strings were encrypted

    public async Task<bool> DeleteAsync()
    {
        if (state.State.Function is null)
        {
            return false;
        }

        await state.ClearStateAsync();

        var removed = _function?.Definition;
        _function = null;
        _forLocalCalls = null;
        StopRouting();
        await ForgetLocalCopiesAsync();
        await GrainFactory.GetGrain<IFunctionRegistryGrain>(0).RemoveAsync(Name);
        await OnRegistrationChangedAsync(removed, null);
        LogDeleted(logger, Name);
        return true;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _runtime = calls.Open(Name);
        if (state.State.Function is { IsActive: true } stored)
        {
            _function = stored with { Definition = stored.Definition with { Headers = HeadersOf(stored), Endpoints = EndpointsOf(stored) } };
            _forLocalCalls = new FunctionState { Function = stored, ProtectedHeaders = state.State.ProtectedHeaders, ProtectedEndpoints = state.State.ProtectedEndpoints };
            UseRouting(_function.Definition);
        }

        return Task.CompletedTask;
    }

    private IReadOnlyDictionary<string, string> HeadersOf(RegisteredFunction stored)
    {
        if (state.State.ProtectedHeaders is not { } protectedHeaders)
        {
            return stored.Definition.Headers; // none, or stored in clear before encryption (re-registering encrypts them)
        }

        try
        {
            return secrets.Unprotect(protectedHeaders);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            // The key ring lost the key: calls go without the headers (the function will refuse them) until the
            // function is registered again; the stored value is left as it is.
            LogSecretsUnreadable(logger, ex, Name);
            return new Dictionary<string, string>();
        }
    }

    private IReadOnlyList<Uri> EndpointsOf(RegisteredFunction stored)
    {
        if (state.State.ProtectedEndpoints is not { } protectedEndpoints)
        {
            return stored.Definition.Endpoints; // none has a query, or stored in clear before encryption
        }

        try
        {
            return secrets.UnprotectEndpoints(protectedEndpoints);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            // As with headers: calls go to the redacted URLs (the function will refuse them) until re-registered.
            LogSecretsUnreadable(logger, ex, Name);
            return stored.Definition.Endpoints;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Accepted invocations finish and deliver before the limiter goes (a silo shutting down waits up to Orleans'
        // deactivation timeout); those cut off stay pending in their clients' ledgers, which re-drive them.
        await _runs.WhenAllAsync(cancellationToken);
        StopRouting();
    }

    public async Task<FunctionStatus?> GetStatusAsync()
    {
        if (_runtime.Status() is not { } own)
        {
            return null;
        }

        var silos = await Task.WhenAll(ActiveSilos().Select(async silo =>
        {
            try
            {
                return await GrainFactory.ReferenceTo<ISiloFunctionsGrain>(silo).GetUsageAsync(Name).WaitAsync(SiloAskTimeout);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return null; // the status leaves that silo's calls out
            }
        }));
        return FunctionStatusMerge.With(own, _runtime.Usage(), silos.OfType<FunctionUsage>().ToList());
    }

    public Task<FunctionState?> GetForLocalCallsAsync() => Task.FromResult(_forLocalCalls);

    /// <summary>
    /// Has every active silo drop its copy of the registration (<see cref="ILocalFunctionCalls"/>) before the change
    /// returns, so no call starts with the old one after. A silo that does not answer in time reads it again within
    /// <see cref="LocalFunctionCalls.Refresh"/>.
    /// </summary>
    private async Task ForgetLocalCopiesAsync()
    {
        await Task.WhenAll(ActiveSilos().Select(async silo =>
        {
            try
            {
                await GrainFactory.ReferenceTo<ISiloFunctionsGrain>(silo).ForgetAsync(Name).WaitAsync(SiloAskTimeout);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogForgetFailed(logger, ex, Name, silo);
            }
        }));
    }

    private IEnumerable<string> ActiveSilos() => membership.CurrentSnapshot.Members.Values
        .Where(member => member.Status == SiloStatus.Active)
        .Select(member => member.SiloAddress.ToParsableString());

    public async IAsyncEnumerable<InvocationStreamItem> InvokeStreamAsync(
        InvocationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = WithRequestId(request) with { Async = false };
        if (_function is not { IsActive: true, Definition.IsMcpServer: false })
        {
            yield return new InvocationStreamItem(null, NotFound(request.RequestId!));
            yield break;
        }

        await using var run = _runtime.StartRelayed(request, cancellationToken);
        var sent = 0;
        await foreach (var item in run.ItemsAsync())
        {
            sent++;
            yield return new InvocationStreamItem(item, null);
        }

        // The items went to the caller: the result carries the total, not the data again.
        var final = run.RelayedResult(sent);
        await InvocationLog.FinishAsync(GrainFactory, logger, request, final);
        yield return new InvocationStreamItem(null, final);
    }

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = WithRequestId(request);
        if (_function is not { IsActive: true, Definition.IsMcpServer: false })
        {
            return NotFound(request.RequestId!);
        }

        if (!request.Async)
        {
            return await ExecuteAsync(request);
        }

        if (request.ClientId is null)
        {
            throw new ArgumentException("An async invocation needs a client id to deliver its result to.", nameof(request));
        }

        // Recorded durably in the client's ledger before the caller hears "accepted". A repeat of a pending
        // request (same X-Request-ID) is accepted again but not run again.
        var acceptance = await GrainFactory.ReferenceTo<IInvocationLedger>(request.ClientId)
            .AcceptAsync(new PendingInvocation(Name, request, time.GetUtcNow(), Attempts: 1));
        if (acceptance == LedgerAcceptance.Accepted)
        {
            StartRunning(request);
        }

        return acceptance.ToResult(Name, request);
    }

    /// <summary>Kept for a silo of the previous release, whose function grain sent this to itself after accepting.</summary>
    public Task RunAsync(InvocationRequest request)
    {
        StartRunning(request);
        return Task.CompletedTask;
    }

    public Task<bool> EnsureRunningAsync(InvocationRequest request) => Task.FromResult(StartRunning(request));

    /// <summary>
    /// Runs an accepted async invocation in this activation, after the current turn, unless it is running here already.
    /// </summary>
    /// <remarks>
    /// Not a grain request (a one-way call to itself cost a message per invocation): so the activation is kept alive for
    /// the longest call, and deactivation waits for the runs (<see cref="OnDeactivateAsync"/>), as Orleans waits for
    /// running requests. If the activation is lost anyway (its silo dies), the client's ledger re-drives the invocation.
    /// </remarks>
    private bool StartRunning(InvocationRequest request)
    {
        if (!_runtime.TryBeginRunning(request.RequestId!))
        {
            return false;
        }

        DelayDeactivation(options.Value.MaxTimeout + RunDeliveryAllowance);
        _runs.Track(RunToEndAsync());
        return true;

        async Task RunToEndAsync()
        {
            // The accept answers first; the call starts in the activation's next turn.
            await Task.Yield();
            try
            {
                await ExecuteAsync(request);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The result stays pending in the client's ledger, which re-drives the invocation.
                LogRunFailed(logger, ex, Name, request.RequestId!);
            }
            finally
            {
                _runtime.EndRunning(request.RequestId!);
            }
        }
    }

    public Task<bool> IsRunningAsync(string requestId) => Task.FromResult(_runtime.IsRunning(requestId));

    private async Task<InvocationResult> ExecuteAsync(InvocationRequest request)
    {
        var requestId = request.RequestId!;
        if (_function is not { IsActive: true })
        {
            // Deleted between acceptance and execution.
            var missing = NotFound(requestId);
            await InvocationLog.DeliverAsync(GrainFactory, logger, request, missing);
            return missing;
        }

        var result = request.Async && request.Stream
            ? await _runtime.RelayAsync(request, GrainFactory.ReferenceTo<IClientGrain>(request.ClientId!))
            : await _runtime.CallAsync(request);
        await InvocationLog.FinishAsync(GrainFactory, logger, request, result);
        return result;
    }

    private static InvocationRequest WithRequestId(InvocationRequest request) =>
        request.RequestId is null ? request with { RequestId = Guid.NewGuid().ToString() } : request;

    /// <summary>
    /// Hands the registration to the runtime (calls already running keep theirs) and runs health checks on a timer
    /// that starts at a random point of its interval (so functions do not all check at once) and does not keep the
    /// grain active.
    /// </summary>
    private void UseRouting(FunctionDefinition definition)
    {
        _runtime.Use(definition);
        _healthTimer?.Dispose();
        _healthTimer = null;
        if (definition.Routing.HealthCheck is { } health)
        {
            var firstCheck = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * health.Interval.TotalMilliseconds);
            _healthTimer = this.RegisterGrainTimer(
                CheckHealthAsync,
                new GrainTimerCreationOptions(firstCheck, health.Interval) { Interleave = true, KeepAlive = false });
        }
    }

    public void Dispose() => StopRouting();

    private void StopRouting()
    {
        _healthTimer?.Dispose();
        _healthTimer = null;
        _runtime?.Stop(); // null only when activation failed before opening it
    }

    private async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in await _runtime.CheckHealthAsync(cancellationToken))
        {
            var url = endpoint.Url.GetLeftPart(UriPartial.Path);
            LogHealthChanged(logger, Name, url, endpoint.ToStatus().Health, endpoint.LastCheckError ?? "passed");
        }
    }

    private InvocationResult NotFound(string requestId) => _function is { Definition.IsMcpServer: true }
        ? new(requestId, Name, InvocationOutcome.NotFound, 0, null,
            $"'{Name}' is a remote MCP server, not a function: call its tools through /mcp", 0, NotFoundReason: NotFoundReason.McpServer)
        : new(requestId, Name, InvocationOutcome.NotFound, 0, null,
            $"function '{Name}' is not registered", 0, NotFoundReason: NotFoundReason.NotRegistered);
}
