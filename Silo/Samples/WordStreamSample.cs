using System.Globalization;
using System.Text.Json;

namespace SseVirtualization.Silo.Samples;

/// <summary>
/// The streaming sample: answers NDJSON (<c>application/x-ndjson</c>), one line per word of the text,
/// <c>{"index":0,"word":"reliable"}</c>, with a pause between words so that a caller watches them arrive. The
/// function grain relays each line as one item: <c>event: result</c> … <c>event: complete</c> for a sync stream.
/// </summary>
internal static class WordStreamSample
{
    public const string Name = "words";

    /// <summary>Most words streamed; longer texts are refused, so a call stays short.</summary>
    public const int MaxWords = 64;

    /// <summary>Pause between two words unless the payload's <c>delay_ms</c> says otherwise (0 to <see cref="MaxDelayMs"/>).</summary>
    public const int DefaultDelayMs = 100;

    public const int MaxDelayMs = 250;

    public static async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var (input, problem) = await SampleInput.ReadAsync(context.Request, cancellationToken);
        if (input is null)
        {
            await problem!.ExecuteAsync(context);
            return;
        }

        var words = input.Words();
        if (words.Length > MaxWords)
        {
            await TypedResults.Problem(
                detail: $"The words sample streams at most {MaxWords} words; this text has {words.Length}.",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid request").ExecuteAsync(context);
            return;
        }

        var delay = TimeSpan.FromMilliseconds(DelayOf(input.Payload));
        var response = context.Response;
        response.ContentType = "application/x-ndjson";
        for (var index = 0; index < words.Length; index++)
        {
            if (index > 0 && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            await response.WriteAsync(JsonSerializer.Serialize(new WordItem(index, words[index])) + "\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The payload's <c>delay_ms</c> (a number, or a string as <c>/mcp/stream?delay_ms=0</c> sends it), clamped.</summary>
    private static int DelayOf(JsonElement payload)
    {
        if (!payload.TryGetProperty("delay_ms", out var value))
        {
            return DefaultDelayMs;
        }

        var asked = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
            _ => DefaultDelayMs,
        };
        return Math.Clamp(asked, 0, MaxDelayMs);
    }
}

/// <summary>One line of <see cref="WordStreamSample"/>'s answer.</summary>
internal sealed record WordItem(
    [property: System.Text.Json.Serialization.JsonPropertyName("index")] int Index,
    [property: System.Text.Json.Serialization.JsonPropertyName("word")] string Word);
