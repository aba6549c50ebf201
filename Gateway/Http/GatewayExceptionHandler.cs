using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace SseVirtualization.Gateway.Http;

/// <summary>
/// The last line: an exception becomes a problem+json answer with a status that says whose fault it was,
/// never a stack trace.
/// </summary>
internal sealed partial class GatewayExceptionHandler(IProblemDetailsService problems, ILogger<GatewayExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            ArgumentException => (StatusCodes.Status400BadRequest, "Invalid request"),
            TimeoutException => (StatusCodes.Status503ServiceUnavailable, "The cluster did not answer in time"),
            SiloUnavailableException or OrleansMessageRejectionException => (StatusCodes.Status503ServiceUnavailable, "The cluster is unavailable"),
            _ when IsStorageFailure(exception) => (StatusCodes.Status503ServiceUnavailable, "Storage is unavailable"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };
        if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title },
        });
    }

    /// <summary>
    /// Grain storage failures (Redis down, a write that failed) reach the front end as the provider's own
    /// exception types, which the front end does not reference; they are recognised by where they come from.
    /// </summary>
    private static bool IsStorageFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is Orleans.Storage.InconsistentStateException
                || current.GetType().FullName?.StartsWith("StackExchange.Redis.", StringComparison.Ordinal) == true
                || current.GetType().FullName?.StartsWith("Orleans.Storage.", StringComparison.Ordinal) == true
                || current.GetType().FullName?.StartsWith("Orleans.Persistence.", StringComparison.Ordinal) == true)
            {
                return true;
            }
        }

        return false;
    }
}
