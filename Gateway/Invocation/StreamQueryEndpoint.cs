using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>
/// The design document's <c>GET /mcp/stream?q=...&amp;function=NAME</c>: the query parameters other than <c>function</c>
/// become the JSON payload (a repeated one becomes an array) and the result streams as
/// <c>result</c> … <c>complete</c> / <c>error</c> events. A GET, so an <c>EventSource</c> can open it.
/// </summary>
internal static class StreamQueryEndpoint
{
    private const int MaxQueryParameters = 64;

    public static void MapStreamQuery(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/mcp/stream", StreamAsync).RequireRateLimiting(AbuseLimits.InvokePolicy);

    private static async Task<IResult> StreamAsync(HttpContext context, IGrainFactory grains, GatewayCounters counters, CallerAccess access)
    {
        var query = context.Request.Query;
        var name = query["function"].ToString();
        if (string.IsNullOrEmpty(name))
        {
            return Problems.Invalid("function", "The 'function' query parameter names the function to call.");
        }

        if (!Names.IsValidFunctionName(name))
        {
            return Problems.Invalid("function", $"The function name must match {Names.FunctionNameRule}.");
        }

        if (query.Count > MaxQueryParameters)
        {
            return Problems.Invalid("query", $"At most {MaxQueryParameters} query parameters are accepted.");
        }

        var callerRequestId = context.Request.Headers["X-Request-ID"].FirstOrDefault();
        if (!string.IsNullOrEmpty(callerRequestId) && !Names.IsValidClientId(callerRequestId))
        {
            return Problems.Invalid("X-Request-ID", $"The X-Request-ID header must match {Names.ClientIdRule}.");
        }

        if (access.ForInvoke(context, name, clientId: null) is { } refused)
        {
            return refused;
        }

        var request = new InvocationRequest(PayloadOf(query), RequestId: string.IsNullOrEmpty(callerRequestId) ? Guid.NewGuid().ToString() : callerRequestId);
        counters.InvocationReceived();
        return await InvocationEventStream.StartAsync(grains.GetGrain<IFunctionGrain>(name), name, request, context);
    }

    private static string PayloadOf(IQueryCollection query) => JsonText.Object(writer =>
    {
        foreach (var (key, values) in query)
        {
            if (key is "function" or SecurityHostingExtensions.AccessTokenQuery) // the token is for us, never for the function
            {
                continue;
            }

            if (values.Count == 1)
            {
                writer.WriteString(key, values[0]);
                continue;
            }

            writer.WriteStartArray(key);
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }
    });
}
