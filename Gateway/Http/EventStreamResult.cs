using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SseVirtualization.Gateway.Http;

/// <summary>
/// A <c>text/event-stream</c> response, written frame by frame straight into the response's pipe and flushed after
/// each. Not <c>TypedResults.ServerSentEvents</c>: its formatter holds two pooled buffers (1.5 KiB) for the whole life
/// of a stream, a twentieth of what an idle stream costs a silo; this writer holds nothing between events.
/// </summary>
internal sealed class EventStreamResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private const string MediaType = "text/event-stream";

    private readonly IAsyncEnumerable<SseItem<string>> _items;

    /// <summary>A stream of <paramref name="items"/>, each flushed as it is written.</summary>
    public EventStreamResult(IAsyncEnumerable<SseItem<string>> items) => _items = items;

    private static ReadOnlySpan<byte> EventField => "event: "u8;

    private static ReadOnlySpan<byte> IdField => "id: "u8;

    private static ReadOnlySpan<byte> RetryField => "retry: "u8;

    private static ReadOnlySpan<byte> DataField => "data: "u8;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => MediaType;

    // Not async: nothing of this method needs to wait with the stream.
    public Task ExecuteAsync(HttpContext httpContext) => WriteAllAsync(Begin(httpContext), _items, httpContext.RequestAborted);

    /// <summary>Makes the response an event stream; returns the pipe to write its frames to (with <see cref="Write"/>).</summary>
    internal static PipeWriter Begin(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity"; // compression would hold events back in its buffer
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        return response.BodyWriter;
    }

    private static async Task WriteAllAsync(PipeWriter writer, IAsyncEnumerable<SseItem<string>> items, CancellationToken cancellationToken)
    {
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            Write(writer, item);
            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                break; // the client is gone
            }
        }
    }

    /// <summary>One event: its fields, a <c>data:</c> line for each line of the data, and the blank line that ends it.</summary>
    internal static void Write(IBufferWriter<byte> writer, SseItem<string> item)
    {
        if (!string.IsNullOrEmpty(item.EventType))
        {
            WriteField(writer, EventField, item.EventType);
        }

        if (!string.IsNullOrEmpty(item.EventId))
        {
            WriteField(writer, IdField, item.EventId);
        }

        if (item.ReconnectionInterval is { } retry)
        {
            WriteField(writer, RetryField, ((long)retry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        var data = item.Data.AsSpan();
        while (true)
        {
            // A line ends at CR LF, LF or CR (as the SSE parser reads it); each becomes its own data: line.
            var end = data.IndexOfAny('\r', '\n');
            WriteField(writer, DataField, end < 0 ? data : data[..end]);
            if (end < 0)
            {
                break;
            }

            data = data[(data[end] == '\r' && end + 1 < data.Length && data[end + 1] == '\n' ? end + 2 : end + 1)..];
        }

        writer.Write("\n"u8);
    }

    /// <summary>A comment line (keep-alive): ignored by SSE parsers, but it keeps proxies from closing an idle stream.</summary>
    internal static void WriteComment(IBufferWriter<byte> writer, string comment)
    {
        writer.Write(": "u8);
        Encoding.UTF8.GetBytes(comment, writer);
        writer.Write("\n\n"u8);
    }

    private static void WriteField(IBufferWriter<byte> writer, ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        writer.Write(name);
        Encoding.UTF8.GetBytes(value, writer);
        writer.Write("\n"u8);
    }
}
