using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;

namespace SseVirtualization.Gateway.Http;

/// <summary>RFC 7807 answers for bad requests; every error the gateway gives is one of these.</summary>
internal static class Problems
{
    /// <summary>400 naming the field at fault.</summary>
    public static ProblemHttpResult Invalid(string field, string detail) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid request",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static ProblemHttpResult MalformedJson(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON");

    /// <summary>415: a body that is not declared JSON (a page's form or text/plain POST needs no preflight; JSON does).</summary>
    public static ProblemHttpResult NotJson(string? contentType) =>
        TypedResults.Problem(
            detail: string.IsNullOrEmpty(contentType)
                ? "The request body has no Content-Type; send it as application/json."
                : $"The request body is '{contentType}'; send it as application/json.",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported media type");

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(
            detail: $"The request body is larger than the limit of {limit} bytes.",
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Request body too large");

    /// <summary>429: the function's concurrency limit and queue are full, or the client has too many unanswered invocations.</summary>
    public static IResult Throttled(string? detail) => new RetryAfterResult(
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many invocations"), seconds: 1);

    /// <summary>404: nothing is registered under <paramref name="name"/>.</summary>
    public static ProblemHttpResult FunctionNotFound(string name) => NotFound($"No function is registered under the name '{name}'.");

    /// <summary>
    /// 404 for an invocation the function grain answered <see cref="InvocationOutcome.NotFound"/>: a name registered as a remote
    /// MCP server gets the grain's reason (call its tools through /mcp), any other the plain answer.
    /// </summary>
    public static ProblemHttpResult FunctionNotFound(string name, InvocationResult notFound) =>
        IsMcpServer(notFound) && notFound.Error is { } reason ? NotFound(reason) : FunctionNotFound(name);

    private static bool IsMcpServer(InvocationResult notFound) => notFound.NotFoundReason switch
    {
        NotFoundReason.McpServer => true,
        NotFoundReason.NotRegistered => false,

        // A silo of an earlier version (during a rolling upgrade) says why only in its text: read it as that version's
        // gateway did. Remove once no silo older than NotFoundReason can answer.
        _ => notFound.Error?.Contains("MCP server", StringComparison.Ordinal) == true,
    };

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Function not found");
}

/// <summary>A problem answer with a <c>Retry-After</c> header.</summary>
internal sealed class RetryAfterResult(IResult inner, int seconds) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return inner.ExecuteAsync(httpContext);
    }
}
