using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Hosting;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// One registered function. Registration changes run one at a time; invocations interleave, each working on
/// the registration as it stood when the invocation started.
/// </summary>
internal sealed partial class FunctionGrain(
    [PersistentState("function", StorageNames.Grains)] IPersistentState<FunctionState> state,
    FunctionHttpInvoker invoker,
    IOptions<FunctionOptions> options,
    TimeProvider time,
    ILogger<FunctionGrain> logger)
    : Grain, IFunctionGrain, IAsyncInvocationRunner
{
    // Accepted async invocations this activation is running; a client grain re-drives any that are not here.
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);

    private string Name => this.GetPrimaryKeyString();

    public async Task<RegistrationResult> RegisterAsync(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!string.Equals(definition.Name, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Definition name '{definition.Name}' does not match grain key '{Name}'.", nameof(definition));
        }

        var now = time.GetUtcNow();
        var existing = state.State.Function;
        var stored = new RegisteredFunction(definition, existing?.CreatedAt ?? now, now, IsActive: true);
        state.State.Function = stored;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Memory never runs ahead of storage; after a conflicting writer, reload on the next call.
            state.State.Function = existing;
            if (ex is Orleans.Storage.InconsistentStateException)
            {
                DeactivateOnIdle();
            }

            throw;
        }

        await GrainFactory.GetGrain<IFunctionRegistryGrain>(0).AddAsync(Name);
        // Only scheme, host and path: query strings often carry keys (e.g. Azure Functions' ?code=).
        var loggedEndpoint = definition.Endpoint.GetLeftPart(UriPartial.Path);
        LogRegistered(logger, Name, loggedEndpoint);
        return new RegistrationResult(stored, Created: existing is null);
    }

    public Task<RegisteredFunction?> GetAsync() => Task.FromResult(state.State.Function);

    public async Task<bool> DeleteAsync()
    {
        if (state.State.Function is null)
        {
            return false;
        }

        await state.ClearStateAsync();
        await GrainFactory.GetGrain<IFunctionRegistryGrain>(0).RemoveAsync(Name);
        LogDeleted(logger, Name);
        return true;
    }

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request = request.RequestId is null ? request with { RequestId = Guid.NewGuid().ToString() } : request;
        if (state.State.Function is not { IsActive: true })
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
        var acceptance = await GrainFactory.GetGrain<IInvocationLedger>(request.ClientId)
            .AcceptAsync(new PendingInvocation(Name, request, time.GetUtcNow(), Attempts: 1));
        if (acceptance == LedgerAcceptance.Full)
        {
            return new InvocationResult(request.RequestId!, Name, InvocationOutcome.Throttled, 0, null,
                $"client '{request.ClientId}' has too many unanswered invocations", 0);
        }

        if (acceptance == LedgerAcceptance.Accepted)
        {
            _running.Add(request.RequestId!);
            await this.AsReference<IAsyncInvocationRunner>().RunAsync(request);
        }

        return new InvocationResult(request.RequestId!, Name, InvocationOutcome.Accepted, 0, null, null, 0);
    }

    public async Task RunAsync(InvocationRequest request)
    {
        _running.Add(request.RequestId!);
        try
        {
            await ExecuteAsync(request);
        }
        finally
        {
            _running.Remove(request.RequestId!);
        }
    }

    public async Task<bool> EnsureRunningAsync(InvocationRequest request)
    {
        if (!_running.Add(request.RequestId!))
        {
            return false;
        }

        await this.AsReference<IAsyncInvocationRunner>().RunAsync(request);
        return true;
    }

    public Task<bool> IsRunningAsync(string requestId) => Task.FromResult(_running.Contains(requestId));

    private async Task<InvocationResult> ExecuteAsync(InvocationRequest request)
    {
        var requestId = request.RequestId!;
        if (state.State.Function is not { IsActive: true } function)
        {
            // Deleted between acceptance and execution.
            var missing = NotFound(requestId);
            await DeliverAsync(request, missing);
            return missing;
        }

        var timeout = request.Timeout ?? function.Definition.Timeout;
        if (timeout > options.Value.MaxTimeout)
        {
            timeout = options.Value.MaxTimeout;
        }

        var result = await invoker.InvokeAsync(function.Definition, request, requestId, timeout);
        LogInvoked(logger, Name, requestId, result.Outcome, result.StatusCode, result.DurationMs);
        await DeliverAsync(request, result);
        return result;
    }

    private async Task DeliverAsync(InvocationRequest request, InvocationResult result)
    {
        if (request.ClientId is not { } clientId)
        {
            return;
        }

        try
        {
            // An async result settles the client's ledger entry: a re-driven duplicate is dropped there.
            await GrainFactory.GetGrain<IInvocationLedger>(clientId)
                .PublishResultAsync(result.RequestId, InvocationResultJson.ToJson(result), settlesPending: request.Async);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An async result stays pending in the ledger, which re-drives the invocation.
            LogDeliveryFailed(logger, ex, Name, result.RequestId, clientId);
        }
    }

    private InvocationResult NotFound(string requestId) =>
        new(requestId, Name, InvocationOutcome.NotFound, 0, null, $"function '{Name}' is not registered", 0);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Function {Name} registered at {Endpoint}")]
    private static partial void LogRegistered(ILogger logger, string name, string endpoint);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Function {Name} deleted")]
    private static partial void LogDeleted(ILogger logger, string name);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Function {Name} request {RequestId}: {Outcome} (HTTP {StatusCode}) in {DurationMs} ms")]
    private static partial void LogInvoked(ILogger logger, string name, string requestId, InvocationOutcome outcome, int statusCode, double durationMs);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId}: result could not be handed to client {ClientId}")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string name, string requestId, string clientId);
}
