using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>A validated <see cref="InvokeRequestBody"/> to the contract's <see cref="InvocationRequest"/>, with the configured longest timeout.</summary>
internal static class InvokeRequestReader
{
    /// <summary>A parsed body to a request, or the 400 naming the field at fault.</summary>
    public static (InvocationRequest? Request, ProblemHttpResult? Problem) Read(JsonElement body, TimeSpan maxTimeout, string? requestId = null)
    {
        if (requestId is not null && !Names.IsValidClientId(requestId))
        {
            return Fail("X-Request-ID", $"The X-Request-ID header must match {Names.ClientIdRule}.");
        }

        var (request, problem) = JsonBody.Deserialize(body, GatewayJsonContext.Default.InvokeRequestBody);
        return problem is not null ? (null, problem) : ToRequest(request!, maxTimeout, requestId);
    }

    /// <param name="body">The validated body.</param>
    /// <param name="maxTimeout">The longest timeout accepted.</param>
    /// <param name="requestId">The caller's <c>X-Request-ID</c>, if any: repeating a request with the same id is idempotent.</param>
    public static (InvocationRequest? Request, ProblemHttpResult? Problem) ToRequest(InvokeRequestBody body, TimeSpan maxTimeout, string? requestId)
    {
        if (body.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > maxTimeout))
        {
            return Fail("timeout", $"'timeout' must be more than 0 and at most {maxTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds.");
        }

        var payload = body.Payload.ValueKind == JsonValueKind.Undefined ? "{}" : body.Payload.GetRawText();
        var clientId = string.IsNullOrEmpty(body.ClientId) ? null : body.ClientId;
        return (new InvocationRequest(payload, clientId, body.Async == true, body.Timeout, requestId ?? Guid.NewGuid().ToString(), body.Stream == true), null);
    }

    private static (InvocationRequest?, ProblemHttpResult?) Fail(string field, string detail) => (null, Problems.Invalid(field, detail));
}
