using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>Makes the HTTP call to a function and turns whatever happens into an <see cref="InvocationResult"/>.</summary>
internal sealed partial class FunctionHttpInvoker(IHttpClientFactory httpClientFactory, FunctionTelemetry telemetry, ILogger<FunctionHttpInvoker> logger)
{
    public const string HttpClientName = "functions";

    public async Task<InvocationResult> InvokeAsync(
        FunctionDefinition function, InvocationRequest request, string requestId, TimeSpan timeout)
    {
        using var activity = FunctionTelemetry.Source.StartActivity($"function {function.Name}", System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("sse.function", function.Name);
        activity?.SetTag("sse.request_id", requestId);
        var result = await CallAsync(function, request, requestId, timeout);
        activity?.SetTag("sse.outcome", FunctionTelemetry.OutcomeName(result.Outcome));
        if (!result.Success)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Error);
        }

        telemetry.Record(result);
        return result;
    }

    private async Task<InvocationResult> CallAsync(
        FunctionDefinition function, InvocationRequest request, string requestId, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout);
        using var message = CreateMessage(function, request, requestId);
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            var status = (int)response.StatusCode;
            var success = response.IsSuccessStatusCode;
            return new InvocationResult(
                requestId,
                function.Name,
                success ? InvocationOutcome.Succeeded : InvocationOutcome.FunctionError,
                status,
                FunctionResponseBody.ToJson(body, response.Content.Headers.ContentType),
                success ? null : $"function answered HTTP {status}",
                Elapsed(started));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new InvocationResult(requestId, function.Name, InvocationOutcome.TimedOut, 0, null,
                $"function did not answer within {timeout.TotalSeconds:0.###} s", Elapsed(started));
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            return new InvocationResult(requestId, function.Name, InvocationOutcome.FunctionError, 0, null,
                "the function's answer is larger than the configured limit (Functions:MaxResponseBytes)", Elapsed(started));
        }
        catch (HttpRequestException ex)
        {
            // Details (addresses, TLS and DNS errors) go to the log, not to callers.
            LogUnreachable(logger, function.Name, requestId, ex.Message);
            return new InvocationResult(requestId, function.Name, InvocationOutcome.Unreachable, 0, null,
                $"function could not be reached ({ex.HttpRequestError})", Elapsed(started));
        }
    }

    private static HttpRequestMessage CreateMessage(FunctionDefinition function, InvocationRequest request, string requestId)
    {
        var message = new HttpRequestMessage(new HttpMethod(function.Method), function.Endpoint);
        if (function.Method is not ("GET" or "HEAD"))
        {
            message.Content = new StringContent(request.PayloadJson, Encoding.UTF8, MediaTypeHeaderValue.Parse("application/json"));
        }

        foreach (var (name, value) in function.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.Remove(name);
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        message.Headers.Remove("X-Request-ID");
        message.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        if (request.ClientId is not null)
        {
            message.Headers.Remove("X-Client-ID");
            message.Headers.TryAddWithoutValidation("X-Client-ID", request.ClientId);
        }

        return message;
    }

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Function {Name} request {RequestId} could not be reached: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string name, string requestId, string reason);
}
