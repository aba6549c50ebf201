using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;

namespace SseVirtualization.Grains.Functions;

/// <summary>What every way of running a call does at its end: log it and hand its result to the client's stream.</summary>
internal static partial class InvocationLog
{
    /// <summary>Logs the call's end; with a client id, adds its result to the client's log (an async one settles its ledger entry).</summary>
    public static async Task FinishAsync(IGrainFactory grains, ILogger logger, InvocationRequest request, InvocationResult result)
    {
        Invoked(logger, result);
        await DeliverAsync(grains, logger, request, result);
    }

    public static void Invoked(ILogger logger, InvocationResult result) =>
        LogInvoked(logger, result.Function, result.RequestId, result.Outcome, result.StatusCode, result.DurationMs);

    public static async Task DeliverAsync(IGrainFactory grains, ILogger logger, InvocationRequest request, InvocationResult result)
    {
        if (request.ClientId is not { } clientId)
        {
            return;
        }

        try
        {
            // An async result settles the client's ledger entry: a re-driven duplicate is dropped there.
            await grains.ReferenceTo<IInvocationLedger>(clientId)
                .PublishResultAsync(result.RequestId, InvocationResultJson.ToJson(result), settlesPending: request.Async);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An async result stays pending in the ledger, which re-drives the invocation.
            LogDeliveryFailed(logger, ex, result.Function, result.RequestId, clientId);
        }
    }
}
