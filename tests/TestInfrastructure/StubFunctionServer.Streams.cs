using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Streaming functions: <c>/stream/ndjson/{count}</c> and <c>/stream/sse/{count}</c> (the design document's
/// <c>result</c>…<c>complete</c>) write one item at a time, flushed. <c>?gate=NAME</c> holds the stream after
/// its first item until <see cref="Release"/>; <c>?delay_ms=N</c> spaces the items; <c>?size=N</c> pads each;
/// <c>?tag=NAME</c> counts the items written; <c>/stream/sse-error/{count}</c> ends with an <c>error</c> event.
/// </summary>
public sealed partial class StubFunctionServer
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _streamGates = new();
    private readonly ConcurrentDictionary<string, int> _written = new();

    /// <summary>How many items a stream opened with <c>?tag=<paramref name="tag"/></c> has written (flushed) so far.</summary>
    public int ItemsWritten(string tag) => _written.GetValueOrDefault(tag);

    /// <summary>Lets a stream held at <c>?gate=<paramref name="name"/></c> go on.</summary>
    public void Release(string name) => StreamGate(name).TrySetResult();

    private TaskCompletionSource StreamGate(string name) =>
        _streamGates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void MapStreams(WebApplication app)
    {
        app.MapMethods("/stream/{format}/{count:int}", ["GET", "POST"], async (string format, int count, HttpContext context) =>
        {
            var call = await RecordAsync(context);
            var query = context.Request.Query;
            var delay = int.TryParse(query["delay_ms"], out var ms) ? ms : 0;
            string? gate = query["gate"];
            string? tag = query["tag"];
            var padding = int.TryParse(query["size"], out var size) ? new string('p', size) : string.Empty;
            var response = context.Response;
            response.ContentType = format == "ndjson" ? "application/x-ndjson" : "text/event-stream";
            for (var i = 0; i < count; i++)
            {
                if (i == 1 && gate is not null)
                {
                    await StreamGate(gate).Task.WaitAsync(context.RequestAborted);
                }
                else if (i > 0 && delay > 0)
                {
                    await Task.Delay(delay, context.RequestAborted);
                }

                var item = padding.Length == 0
                    ? $$"""{"n":{{i}},"request_id":"{{call.RequestId}}"}"""
                    : $$"""{"n":{{i}},"request_id":"{{call.RequestId}}","padding":"{{padding}}"}""";
                await response.WriteAsync(format == "ndjson" ? item + "\n" : $"event: result\ndata: {item}\n\n", context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                if (tag is not null)
                {
                    _written[tag] = i + 1;
                }
            }

            switch (format)
            {
                case "sse":
                    await response.WriteAsync($$"""event: complete{{"\n"}}data: {"total":{{count}}}{{"\n\n"}}""", context.RequestAborted);
                    break;
                case "sse-error":
                    await response.WriteAsync("event: error\ndata: {\"error\":\"index unavailable\"}\n\n", context.RequestAborted);
                    break;
            }
        });
    }
}
