using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SseVirtualization.Grains.Functions.Answers;

/// <summary>
/// Splits a streaming answer into items, each as compact JSON: an NDJSON line, or the data of an SSE event.
/// The design document's SSE names are understood: <c>complete</c> ends the stream, <c>error</c> fails it; any other event
/// (<c>result</c>, <c>message</c>, ...) is an item.
/// </summary>
internal static class AnswerItems
{
    public static IAsyncEnumerable<string> ReadAsync(Stream body, AnswerKind kind, CancellationToken cancellationToken) => kind switch
    {
        AnswerKind.NdJson => ReadLinesAsync(body, cancellationToken),
        AnswerKind.EventStream => ReadEventsAsync(body, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static async IAsyncEnumerable<string> ReadLinesAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Minify(line) ?? throw new FunctionStreamException($"line {number} of the function's NDJSON answer is not JSON");
        }
    }

    private static async IAsyncEnumerable<string> ReadEventsAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            switch (item.EventType)
            {
                case "complete":
                    yield break;
                case "error":
                    throw new FunctionStreamException(ErrorText(item.Data));
                default:
                    yield return Minify(item.Data) ?? JsonSerializer.Serialize(item.Data);
                    break;
            }
        }
    }

    /// <summary>The message of an <c>error</c> event: its <c>error</c> or <c>message</c> field, or its text.</summary>
    private static string ErrorText(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            foreach (var field in (ReadOnlySpan<string>)["error", "message"])
            {
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return "the function reported an error: " + value.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return "the function reported an error: " + (data.Length > 500 ? data[..500] : data);
    }

    private static string? Minify(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.GetRawText() is var raw && raw.AsSpan().IndexOfAny('\n', '\r') < 0
                ? raw
                : JsonSerializer.Serialize(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
