using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Hosting;
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
        routes.MapGet("/mcp/stream", StreamAsync).RequireRateLimiting(AbuseLimits.InvokePolicy)
            .EventStream(description: "The result as result … complete / error events.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new Microsoft.OpenApi.OpenApiParameter
                {
                    Name = "function",
                    In = Microsoft.OpenApi.ParameterLocation.Query,
                    Required = true,
                    Description = "The function to call; every other query parameter becomes a field of its JSON payload.",
                    Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Pattern = "^[A-Za-z0-9_.-]{1,64}$" },
                });
                return Task.CompletedTask;
            })
            .WithTags("Invocation").WithName("StreamQuery").WithSummary("Call a function with query parameters as its payload; the result streams as events (an EventSource can open it).");

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
        return await InvocationEventStream.StartAsync(grains.ReferenceTo<IFunctionGrain>(name), name, request, context);
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
