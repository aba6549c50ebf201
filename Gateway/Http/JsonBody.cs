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
        var (buffer, problem) = await ReadBytesAsync(context, limit);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (buffer)
        {
            if (buffer!.Length == 0)
            {
                return allowEmpty ? (JsonDocument.Parse("{}"), null) : (null, Empty());
            }

            return ParseObject(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
    }

    /// <summary>
    /// The body as a <typeparamref name="T"/> record, validated (<see cref="BodyValidation"/>); or the problem to answer
    /// instead: what <see cref="ReadObjectAsync"/> answers for a body that is not one JSON object, and a 400 naming the
    /// field for a value of the wrong type or one that breaks a rule.
    /// </summary>
    /// <remarks>
    /// The hot path (<c>/invoke</c>) deserializes the bytes once, with no <see cref="JsonDocument"/> in between; only a
    /// body the serializer refuses is parsed again, to tell malformed JSON, a non-object and a field of the wrong type
    /// apart with the same answers <see cref="ReadObjectAsync"/> and <see cref="Deserialize{T}"/> give.
    /// </remarks>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpContext context, long limit, JsonTypeInfo<T> type, bool allowEmpty = false)
        where T : class
    {
        var (buffer, problem) = await ReadBytesAsync(context, limit);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (buffer)
        {
            if (buffer!.Length == 0)
            {
                return allowEmpty ? Validated(JsonSerializer.Deserialize("{}"u8, type)!) : (null, Empty());
            }

            var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            T? value;
            try
            {
                value = JsonSerializer.Deserialize(json.Span, type);
            }
            catch (JsonException)
            {
                value = null;
            }

            if (value is null)
            {
                return ExplainRefused(json, type);
            }

            return JsonUnicode.IsWellFormed(json.Span) ? Validated(value) : (null, NotUtf8());
        }
    }

    /// <summary>The body's bytes, within the limit; or the 415 for a body not declared JSON, or the 413.</summary>
    private static async Task<(MemoryStream? Buffer, ProblemHttpResult? Problem)> ReadBytesAsync(HttpContext context, long limit)
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

        var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await buffer.DisposeAsync();
            return (null, Problems.TooLarge(limit));
        }

        if (buffer.Length > limit)
        {
            await buffer.DisposeAsync();
            return (null, Problems.TooLarge(limit));
        }

        return (buffer, null);
    }

    /// <summary>Bytes as one JSON object in well-formed UTF-8, or the 400 saying what they are instead.</summary>
    private static (JsonDocument? Document, ProblemHttpResult? Problem) ParseObject(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return (null, Problems.MalformedJson($"The request body is not valid JSON: {ex.Message}"));
        }

        if (!JsonUnicode.IsWellFormed(json.Span))
        {
            document.Dispose();
            return (null, NotUtf8());
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Problems.MalformedJson("The request body must be a JSON object."));
        }

        return (document, null);
    }

    /// <summary>Why the serializer refused a body (or read <c>null</c>): the answer the two-step read gives.</summary>
    private static (T? Body, ProblemHttpResult? Problem) ExplainRefused<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> type)
        where T : class
    {
        var (document, problem) = ParseObject(json);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            return Deserialize(document!.RootElement, type);
        }
    }

    private static (T? Body, ProblemHttpResult? Problem) Validated<T>(T value)
        where T : class
    {
        var invalid = BodyValidation.Validate(value);
        return invalid is null ? (value, null) : (null, invalid);
    }

    private static ProblemHttpResult Empty() => Problems.MalformedJson("The request body is empty; a JSON object is expected.");

    private static ProblemHttpResult NotUtf8() => Problems.MalformedJson(
        "The request body is not valid UTF-8 text: it holds invalid UTF-8 bytes or an unpaired surrogate escape (\\ud800 to \\udfff).");

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

        return Validated(value);
    }

    /// <summary>A declared length, or a body the server sees coming without one (chunked, or HTTP/2 and 3 streams).</summary>
    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is { } length
            ? length > 0
            : context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
}
