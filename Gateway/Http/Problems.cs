using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

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

    /// <param name="name">The name asked for.</param>
    /// <param name="kindMismatch">The grain's reason when the name is registered but is not an invocable function (an MCP server).</param>
    public static ProblemHttpResult FunctionNotFound(string name, string? kindMismatch = null) =>
        TypedResults.Problem(
            detail: kindMismatch is not null && kindMismatch.Contains("MCP server", StringComparison.Ordinal)
                ? kindMismatch
                : $"No function is registered under the name '{name}'.",
            statusCode: StatusCodes.Status404NotFound,
            title: "Function not found");
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
