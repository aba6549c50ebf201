using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>Turns an <c>/invoke</c> body (<c>{"payload","client_id","async","stream","timeout"}</c>) into an <see cref="InvocationRequest"/>.</summary>
internal static class InvokeRequestReader
{
    /// <param name="body">The request body, a JSON object.</param>
    /// <param name="maxTimeout">The longest timeout accepted.</param>
    /// <param name="requestId">The caller's <c>X-Request-ID</c>, if any: repeating a request with the same id is idempotent.</param>
    public static (InvocationRequest? Request, ProblemHttpResult? Problem) Read(JsonElement body, TimeSpan maxTimeout, string? requestId = null)
    {
        if (requestId is not null && !Names.IsValidClientId(requestId))
        {
            return Fail("X-Request-ID", $"The X-Request-ID header must match {Names.ClientIdRule}.");
        }

        var payload = body.TryGetProperty("payload", out var payloadElement) && payloadElement.ValueKind != JsonValueKind.Undefined
            ? payloadElement.GetRawText()
            : "{}";

        string? clientId = null;
        if (body.TryGetProperty("client_id", out var clientElement) && clientElement.ValueKind != JsonValueKind.Null)
        {
            if (clientElement.ValueKind != JsonValueKind.String)
            {
                return Fail("client_id", "'client_id' must be a string.");
            }

            clientId = clientElement.GetString();
            if (clientId!.Length == 0)
            {
                clientId = null;
            }
            else if (!Names.IsValidClientId(clientId))
            {
                return Fail("client_id", $"'client_id' must match {Names.ClientIdRule}.");
            }
        }

        var isAsync = false;
        if (body.TryGetProperty("async", out var asyncElement) && asyncElement.ValueKind != JsonValueKind.Null)
        {
            if (asyncElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Fail("async", "'async' must be true or false.");
            }

            isAsync = asyncElement.GetBoolean();
        }

        if (isAsync && clientId is null)
        {
            return Fail("client_id", "An async invocation needs 'client_id': its result is sent to that client's SSE stream.");
        }

        var stream = false;
        if (body.TryGetProperty("stream", out var streamElement) && streamElement.ValueKind != JsonValueKind.Null)
        {
            if (streamElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Fail("stream", "'stream' must be true or false.");
            }

            stream = streamElement.GetBoolean();
            if (stream && !isAsync)
            {
                return Fail("stream", "'stream' applies to async invocations (items go to the client's SSE stream); for a sync stream send 'Accept: text/event-stream'.");
            }
        }

        TimeSpan? timeout = null;
        if (body.TryGetProperty("timeout", out var timeoutElement) && timeoutElement.ValueKind != JsonValueKind.Null)
        {
            if (!TryReadTimeout(timeoutElement, out var value))
            {
                return Fail("timeout", "'timeout' must be a number of seconds (or a duration such as \"30s\").");
            }

            if (value <= TimeSpan.Zero || value > maxTimeout)
            {
                return Fail("timeout", $"'timeout' must be more than 0 and at most {maxTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds.");
            }

            timeout = value;
        }

        return (new InvocationRequest(payload, clientId, isAsync, timeout, requestId ?? Guid.NewGuid().ToString(), stream), null);
    }

    private static bool TryReadTimeout(JsonElement element, out TimeSpan timeout)
    {
        timeout = default;
        if (element.ValueKind == JsonValueKind.String)
        {
            return GoDuration.TryParse(element.GetString()!, out timeout);
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var seconds))
        {
            // Out-of-range numbers become a zero timeout, which the caller rejects as "more than 0".
            timeout = seconds > 0 && seconds <= TimeSpan.FromDays(1).TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
            return true;
        }

        return false;
    }

    private static (InvocationRequest?, ProblemHttpResult?) Fail(string field, string detail) => (null, Problems.Invalid(field, detail));
}
