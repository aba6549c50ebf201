using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>
/// <c>POST /invoke/{name}</c>: call a function, answering with its result, 202 for async calls, or the result as
/// an event stream when the caller accepts <c>text/event-stream</c>.
/// </summary>
internal static class InvokeEndpoint
{
    public static void MapInvoke(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/invoke/{name}", InvokeAsync).RequireRateLimiting(AbuseLimits.InvokePolicy)
            .JsonBody<InvokeRequestBody>(required: false)
            .Produces<InvocationResultView>(StatusCodes.Status200OK)
            .EventStream(description: "The function's result, or its streamed items, as events (when the caller accepts text/event-stream).")
            .Produces<InvokeAccepted>(StatusCodes.Status202Accepted)
            .Produces<InvocationResultView>(StatusCodes.Status502BadGateway)
            .Produces<InvocationResultView>(StatusCodes.Status504GatewayTimeout)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithTags("Invocation").WithName("InvokeFunction").WithSummary("Call a function: its result, 202 for an async call, or events.");

    private static async Task<IResult> InvokeAsync(
        string name,
        HttpContext context,
        IGrainFactory grains,
        GatewayCounters counters,
        IOptions<GatewayOptions> options,
        IOptions<FunctionLimits> limits,
        CallerAccess access,
        ILocalFunctionCalls local)
    {
        if (!Names.IsValidFunctionName(name))
        {
            return Problems.Invalid("name", $"The function name must match {Names.FunctionNameRule}.");
        }

        var callerRequestId = context.Request.Headers["X-Request-ID"].FirstOrDefault();
        if (!string.IsNullOrEmpty(callerRequestId) && !Names.IsValidClientId(callerRequestId))
        {
            return Problems.Invalid("X-Request-ID", $"The X-Request-ID header must match {Names.ClientIdRule}.");
        }

        var (body, problem) = await JsonBody.ReadAsync(context, options.Value.MaxRequestBodyBytes, GatewayJsonContext.Default.InvokeRequestBody, allowEmpty: true);
        if (problem is not null)
        {
            return problem;
        }

        (var request, problem) = InvokeRequestReader.ToRequest(body!, limits.Value.MaxTimeout, string.IsNullOrEmpty(callerRequestId) ? null : callerRequestId);
        if (problem is not null)
        {
            return problem;
        }

        if (access.ForInvoke(context, name, request!.ClientId) is { } refused)
        {
            return refused;
        }

        counters.InvocationReceived();
        if (!request!.Async && InvocationEventStream.IsWanted(context.Request))
        {
            return await InvocationEventStream.StartAsync(grains.ReferenceTo<IFunctionGrain>(name), name, request, context);
        }

        var result = await local.InvokeAsync(grains, name, request);
        return result.Outcome switch
        {
            InvocationOutcome.NotFound => Problems.FunctionNotFound(name, result),
            InvocationOutcome.Throttled => Problems.Throttled(result.Error),
            // Written by hand, as the result is: the hottest answer skips the serializer and TypedResults.
            InvocationOutcome.Accepted => JsonResults.Write(StatusCodes.Status202Accepted, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("request_id", result.RequestId);
                writer.WriteString("status", "accepted");
                writer.WriteEndObject();
            }),
            _ => JsonResults.Write(StatusCodeOf(result.Outcome), writer => InvocationResultJson.Write(writer, result)),
        };
    }

    private static int StatusCodeOf(InvocationOutcome outcome) => outcome switch
    {
        InvocationOutcome.Succeeded => StatusCodes.Status200OK,
        InvocationOutcome.TimedOut => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status502BadGateway,
    };
}
