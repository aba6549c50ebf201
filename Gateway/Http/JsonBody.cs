using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SseVirtualization.Gateway.Http;

/// <summary>Reads a request body as one JSON object, within the configured size limit.</summary>
internal static class JsonBody
{
    /// <summary>The parsed body, or the problem to answer instead (400 malformed or not UTF-8 text, 413 too large).</summary>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(
        HttpContext context, long limit, bool allowEmpty = false)
    {
        var request = context.Request;
        if (HasBody(context) && !request.HasJsonContentType()) // application/json or any +json type, any charset
        {
            return (null, Problems.NotJson(request.ContentType));
        }

        if (request.ContentLength > limit)
        {
            return (null, Problems.TooLarge(limit));
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        JsonDocument document;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > limit)
            {
                return (null, Problems.TooLarge(limit));
            }

            if (buffer.Length == 0)
            {
                return allowEmpty
                    ? (JsonDocument.Parse("{}"), null)
                    : (null, Problems.MalformedJson("The request body is empty; a JSON object is expected."));
            }

            var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            document = JsonDocument.Parse(json);
            if (!JsonUnicode.IsWellFormed(json.Span))
            {
                document.Dispose();
                return (null, Problems.MalformedJson(
                    "The request body is not valid UTF-8 text: it holds invalid UTF-8 bytes or an unpaired surrogate escape (\\ud800 to \\udfff)."));
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.TooLarge(limit));
        }
        catch (JsonException ex)
        {
            return (null, Problems.MalformedJson($"The request body is not valid JSON: {ex.Message}"));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Problems.MalformedJson("The request body must be a JSON object."));
        }

        return (document, null);
    }

    /// <summary>
    /// The body as a <typeparamref name="T"/> record, validated (<see cref="BodyValidation"/>); or the problem to answer
    /// instead: what <see cref="ReadObjectAsync"/> answers for a body that is not one JSON object, and a 400 naming the
    /// field for a value of the wrong type or one that breaks a rule.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpContext context, long limit, JsonTypeInfo<T> type, bool allowEmpty = false)
        where T : class
    {
        var (document, problem) = await ReadObjectAsync(context, limit, allowEmpty);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            return Deserialize(document!.RootElement, type);
        }
    }

    /// <summary>A parsed JSON object as a validated <typeparamref name="T"/>, or the 400 naming the field at fault.</summary>
    public static (T? Body, ProblemHttpResult? Problem) Deserialize<T>(JsonElement body, JsonTypeInfo<T> type)
        where T : class
    {
        T value;
        try
        {
            // The text is valid JSON already: what fails here is a value of the wrong type for its field.
            value = body.Deserialize(type)!;
        }
        catch (JsonException ex)
        {
            return (null, BodyValidation.WrongType(ex));
        }

        var invalid = BodyValidation.Validate(value);
        return invalid is null ? (value, null) : (null, invalid);
    }

    /// <summary>A declared length, or a body the server sees coming without one (chunked, or HTTP/2 and 3 streams).</summary>
    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is { } length
            ? length > 0
            : context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
}
