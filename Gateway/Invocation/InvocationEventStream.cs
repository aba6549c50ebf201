using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>
/// A sync invocation answered as the design document's event stream: <c>event: result</c> per item as it arrives, then
/// <c>event: complete</c> <c>{"request_id","function","total","duration_ms"}</c>, or <c>event: error</c>.
/// Used by <c>POST /invoke/{name}</c> with <c>Accept: text/event-stream</c> and by <c>GET /mcp/stream</c>.
/// </summary>
internal static class InvocationEventStream
{
    public const string ResultEvent = "result";
    public const string CompleteEvent = "complete";
    public const string ErrorEvent = "error";

    public static bool IsWanted(HttpRequest request) =>
        request.Headers.Accept.Any(value => value?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>
    /// Starts the invocation; answers problem+json when it ends before its first item because the function is
    /// unknown or throttled, else the event stream (read from the function no faster than the caller reads it).
    /// </summary>
    public static async Task<IResult> StartAsync(IFunctionGrain function, string name, InvocationRequest request, HttpContext context)
    {
        var items = function.InvokeStreamAsync(request, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
        if (!await items.MoveNextAsync())
        {
            await items.DisposeAsync();
            throw new InvalidOperationException("The invocation stream ended without a result.");
        }

        switch (items.Current.Final?.Outcome)
        {
            case InvocationOutcome.NotFound:
                var notFound = items.Current.Final;
                await items.DisposeAsync();
                return Problems.FunctionNotFound(name, notFound);
            case InvocationOutcome.Throttled:
                await items.DisposeAsync();
                return Problems.Throttled(items.Current.Final.Error);
        }

        context.Response.Headers["X-Request-ID"] = request.RequestId;
        return new EventStreamResult(EventsAsync(items, request.RequestId!, name, context.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        IAsyncEnumerator<InvocationStreamItem> items, string requestId, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var _ = items;
        var sent = 0;
        var current = items.Current;
        while (true)
        {
            if (current.Final is { } final)
            {
                yield return final.Success
                    ? new SseItem<string>(Complete(final), CompleteEvent)
                    : new SseItem<string>(Error(final.RequestId, final.Function, final.Error, final.StatusCode, final.Total ?? sent, final.DurationMs), ErrorEvent);
                yield break;
            }

            sent++;
            yield return new SseItem<string>(current.DataJson!, ResultEvent);
            var (next, lost) = await NextAsync(items, cancellationToken);
            if (lost)
            {
                // The silo running the invocation went away mid-stream: say so, never restart silently.
                yield return new SseItem<string>(Error(requestId, name, "interrupted", 0, sent, 0), ErrorEvent);
                yield break;
            }

            current = next!;
        }
    }

    private static async Task<(InvocationStreamItem? Item, bool Lost)> NextAsync(IAsyncEnumerator<InvocationStreamItem> items, CancellationToken cancellationToken)
    {
        try
        {
            return await items.MoveNextAsync() ? (items.Current, false) : (null, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, true);
        }
    }

    private static string Complete(InvocationResult result) => JsonText.Object(writer =>
    {
        writer.WriteString("request_id", result.RequestId);
        writer.WriteString("function", result.Function);
        writer.WriteNumber("total", result.Total ?? 0);
        writer.WriteNumber("duration_ms", Math.Round(result.DurationMs, 3));
    });

    private static string Error(string requestId, string function, string? error, int statusCode, int total, double durationMs) => JsonText.Object(writer =>
    {
        writer.WriteString("request_id", requestId);
        writer.WriteString("function", function);
        writer.WriteString("error", error);
        writer.WriteNumber("status_code", statusCode);
        writer.WriteNumber("total", total);
        writer.WriteNumber("duration_ms", Math.Round(durationMs, 3));
    });
}
