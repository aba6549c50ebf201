using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Invocation;

/// <summary>
/// The body of <c>POST /invoke/{name}</c>; every field may be left out (an empty body calls with <c>{}</c>). The longest
/// timeout comes from configuration and is checked by <see cref="InvokeRequestReader"/>.
/// </summary>
internal sealed record InvokeRequestBody : IValidatableObject
{
    /// <summary>Any JSON value, sent to the function as its body; <c>{}</c> when left out.</summary>
    public JsonElement Payload { get; init; }

    /// <summary>The caller's client id: an async result goes to that client's SSE stream.</summary>
    public string? ClientId { get; init; }

    /// <summary>Answer 202 at once and send the result to the <c>client_id</c>'s stream.</summary>
    public bool? Async { get; init; }

    /// <summary>For an async call: send the function's streamed items to the client's stream as they come.</summary>
    public bool? Stream { get; init; }

    /// <summary>A number of seconds, or a Go duration (<c>"30s"</c>); the function's own timeout when left out.</summary>
    [JsonConverter(typeof(SecondsOrDurationJsonConverter))]
    public TimeSpan? Timeout { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(ClientId) && !Names.IsValidClientId(ClientId))
        {
            yield return new($"'client_id' must match {Names.ClientIdRule}.", ["client_id"]);
        }
        else if (Async == true && string.IsNullOrEmpty(ClientId))
        {
            yield return new("An async invocation needs 'client_id': its result is sent to that client's SSE stream.", ["client_id"]);
        }
        else if (Stream == true && Async != true)
        {
            yield return new("'stream' applies to async invocations (items go to the client's SSE stream); for a sync stream send 'Accept: text/event-stream'.", ["stream"]);
        }
    }
}

/// <summary>The 202 answer of an async invocation.</summary>
/// <param name="RequestId">The invocation's id, repeated in the result event.</param>
/// <param name="Status">Always <c>accepted</c>.</param>
internal sealed record InvokeAccepted(string RequestId, string Status);

/// <summary>
/// An invocation's result (<c>InvocationResultJson</c> writes it, the same as the SSE <c>function_response</c> event);
/// described here for the API document.
/// </summary>
internal sealed record InvocationResultView(
    string RequestId,
    string Function,
    bool Success,
    int StatusCode,
    JsonElement? Data,
    string? Error,
    double DurationMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Total);
