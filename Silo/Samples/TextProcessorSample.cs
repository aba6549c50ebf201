using System.Text.Json;

namespace SseVirtualization.Silo.Samples;

/// <summary>
/// The plain sample: answers one JSON document with the text in capitals, its word count, and the payload it was sent,
/// so a caller sees that its payload reached the function and the function's answer came back.
/// </summary>
internal static class TextProcessorSample
{
    public const string Name = "text-processor";

    public static async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (input, problem) = await SampleInput.ReadAsync(request, cancellationToken);
        if (input is null)
        {
            return problem!;
        }

        return TypedResults.Ok(new TextProcessorAnswer(input.Text.ToUpperInvariant(), input.Words().Length, input.Payload));
    }
}

/// <summary>The answer of <see cref="TextProcessorSample"/>, in the wire format's snake_case.</summary>
internal sealed record TextProcessorAnswer(
    [property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text,
    [property: System.Text.Json.Serialization.JsonPropertyName("word_count")] int WordCount,
    [property: System.Text.Json.Serialization.JsonPropertyName("payload")] JsonElement Payload);
