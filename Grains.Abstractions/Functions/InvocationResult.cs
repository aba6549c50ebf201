namespace SseVirtualization.Functions;

/// <summary>
/// The result of one invocation: the body of a sync <c>/invoke</c> answer and the data of a
/// <c>function_response</c> event (see <see cref="InvocationResultJson"/>).
/// </summary>
/// <param name="RequestId">The invocation's request id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="Outcome">How the invocation ended.</param>
/// <param name="StatusCode">The function's HTTP status, 0 when it never answered.</param>
/// <param name="DataJson">The function's answer as JSON (text answers become a JSON string), or null.</param>
/// <param name="Error">A human-readable error, null on success.</param>
/// <param name="DurationMs">Time spent calling the function, in milliseconds.</param>
/// <param name="Total">How many items a streaming answer had (null when the function did not stream).</param>
/// <param name="NotFoundReason">
/// For <see cref="InvocationOutcome.NotFound"/>, why; <see cref="NotFoundReason.Unspecified"/> otherwise, and in the answer of a
/// silo of an earlier version.
/// </param>
[GenerateSerializer, Immutable, Alias("sse.InvocationResult")]
public sealed record InvocationResult(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Function,
    [property: Id(2)] InvocationOutcome Outcome,
    [property: Id(3)] int StatusCode,
    [property: Id(4)] string? DataJson,
    [property: Id(5)] string? Error,
    [property: Id(6)] double DurationMs,
    [property: Id(7)] int? Total = null,
    [property: Id(8)] NotFoundReason NotFoundReason = NotFoundReason.Unspecified)
{
    /// <summary><c>true</c> when the function answered 2xx.</summary>
    public bool Success => Outcome == InvocationOutcome.Succeeded;
}
