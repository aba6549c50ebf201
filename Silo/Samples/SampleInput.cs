using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SseVirtualization.Silo.Samples;

/// <summary>
/// What a sample function was sent: the invocation's payload (the JSON body the function grain posts) and its text.
/// Bounded, so a sample costs little whoever calls it.
/// </summary>
internal sealed record SampleInput(JsonElement Payload, string Text)
{
    /// <summary>Largest body a sample reads; a longer one is refused with 413.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Reads the body: a JSON object whose <c>text</c> (or <c>q</c>, what <c>GET /mcp/stream?q=…</c> sends) is a string.
    /// Returns the input, or the problem to answer instead.
    /// </summary>
    public static async Task<(SampleInput? Input, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return (null, TooLarge());
            }

            body.Write(buffer, 0, read);
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, Invalid("The body is not JSON. Send {\"text\": \"...\"}."));
        }

        if (payload.ValueKind != JsonValueKind.Object
            || !(payload.TryGetProperty("text", out var text) || payload.TryGetProperty("q", out text))
            || text.ValueKind != JsonValueKind.String)
        {
            return (null, Invalid("Send a JSON object with a string \"text\" (or \"q\"), e.g. {\"text\": \"Hello\"}."));
        }

        return (new SampleInput(payload, text.GetString()!), null);
    }

    /// <summary>The words of <see cref="Text"/>, split on white space.</summary>
    public string[] Words() => Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(
        detail: $"A sample function reads at most {MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
}
