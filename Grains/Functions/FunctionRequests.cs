using System.Net.Http.Headers;
using System.Text;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>The HTTP request sent to a function endpoint: the payload, the registered headers and the correlation headers.</summary>
internal static class FunctionRequests
{
    public static HttpRequestMessage Create(FunctionDefinition function, Uri endpoint, InvocationRequest request, string requestId)
    {
        var message = new HttpRequestMessage(new HttpMethod(function.Method), endpoint);
        if (function.Method is not ("GET" or "HEAD"))
        {
            message.Content = new StringContent(request.PayloadJson, Encoding.UTF8, MediaTypeHeaderValue.Parse("application/json"));
        }

        AddHeaders(message, function.Headers);
        message.Headers.Remove("X-Request-ID");
        message.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        if (request.ClientId is not null)
        {
            message.Headers.Remove("X-Client-ID");
            message.Headers.TryAddWithoutValidation("X-Client-ID", request.ClientId);
        }

        // A streaming function may answer NDJSON or SSE; a plain one ignores this.
        message.Headers.Accept.ParseAdd("application/json");
        message.Headers.Accept.ParseAdd("application/x-ndjson;q=0.9");
        message.Headers.Accept.ParseAdd("text/event-stream;q=0.9");
        message.Headers.Accept.ParseAdd("*/*;q=0.1");

        // traceparent is added by HttpClient's own propagation from the invocation's span.
        return message;
    }

    public static void AddHeaders(HttpRequestMessage message, IReadOnlyDictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.Remove(name);
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }
}
