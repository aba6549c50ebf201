using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Search;

/// <summary>
/// <c>POST /</c> with <c>{"q": "...", "limit": 5}</c> answers NDJSON, one ranked result per line, best first
/// (the layer relays each line as its own <c>result</c> event). <c>GET /health</c> says whether the index is
/// reachable. Bad input is a 400 problem+json that names the field.
/// </summary>
public static class SearchEndpoints
{
    public static void MapSearch(this WebApplication app)
    {
        // A query is at most a few hundred characters: nothing bigger is read.
        app.MapPost("/", SearchAsync).WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(16 * 1024));
        app.MapGet("/health", HealthAsync);
    }

    private static async Task<IResult> SearchAsync(HttpContext context, SearchEngine engine, IOptions<SearchOptions> options)
    {
        var settings = options.Value;
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Invalid("body", $"The body must be a JSON object: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(detail: "The body is larger than 16 KiB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Invalid("body", "The body must be a JSON object such as {\"q\": \"reconnect\", \"limit\": 5}.");
        }

        var query = body.TryGetProperty("q", out var q) ? First(q) : null;
        var text = query is { ValueKind: JsonValueKind.String } ? TryGetString(query.Value)?.Trim() : null;
        if (string.IsNullOrEmpty(text))
        {
            return Invalid("q", "'q' must be a non-empty string of valid text: what to search for.");
        }

        if (text.Length > settings.MaxQueryChars)
        {
            return Invalid("q", $"'q' is {text.Length} characters long; at most {settings.MaxQueryChars} are accepted.");
        }

        var limit = settings.DefaultLimit;
        if (body.TryGetProperty("limit", out var l) && First(l) is { } limitElement && limitElement.ValueKind != JsonValueKind.Null)
        {
            // A number, or a numeric string (the layer's /mcp/stream passes query parameters as strings).
            var parsed = limitElement.ValueKind switch
            {
                JsonValueKind.Number when limitElement.TryGetInt32(out var n) => n,
                JsonValueKind.String when int.TryParse(TryGetString(limitElement), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
                _ => -1,
            };
            if (parsed < 1 || parsed > settings.MaxLimit)
            {
                return Invalid("limit", $"'limit' must be a whole number from 1 to {settings.MaxLimit}.");
            }

            limit = parsed;
        }

        var hits = await engine.SearchAsync(text, limit, context.RequestAborted);
        context.Response.ContentType = "application/x-ndjson";
        foreach (var hit in hits)
        {
            var line = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["rank"] = hit.Rank,
                ["score"] = hit.Score,
                ["document"] = hit.Document,
                ["heading"] = hit.Heading,
                ["chunk"] = hit.Chunk,
            });
            await context.Response.WriteAsync(line + "\n", Encoding.UTF8, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        return Results.Empty;
    }

    private static async Task<IResult> HealthAsync(SearchIndex index, SearchEngine engine, CancellationToken cancellationToken)
    {
        try
        {
            var version = await index.VersionAsync(cancellationToken);
            return Results.Ok(new { status = "ok", index_version = version, chunks_loaded = engine.ChunkCount });
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return Results.Problem(detail: "The index database is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unhealthy");
        }
    }

    /// <summary>The string, or null when it holds no valid text (a lone surrogate escape such as "\ud800").</summary>
    private static string? TryGetString(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A repeated query parameter arrives as an array: its first value counts.</summary>
    private static JsonElement? First(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? (element.GetArrayLength() > 0 ? element[0] : null) : element;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Invalid(string field, string detail) => TypedResults.Problem(
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid search request",
        extensions: new Dictionary<string, object?> { ["field"] = field });
}
