namespace SseVirtualization.Functions;

/// <summary>One call of a registered function.</summary>
/// <param name="PayloadJson">The JSON sent as the function's request body.</param>
/// <param name="ClientId">SSE client that receives the result as a <c>function_response</c> event, if any.</param>
/// <param name="Async">
/// When <c>true</c> (requires <paramref name="ClientId"/>), <see cref="IFunctionGrain.InvokeAsync"/> answers
/// <see cref="InvocationOutcome.Accepted"/> at once and the result goes only to the client's stream.
/// </param>
/// <param name="Timeout">Overrides the function's registered timeout for this call.</param>
/// <param name="RequestId">Identifies the call end to end (sent to the function as <c>X-Request-ID</c>); generated when null.</param>
/// <param name="Stream">
/// For an async call whose function streams its answer: each item goes to the client as its own
/// <c>function_result</c> event and the closing <c>function_response</c> carries the total instead of the data.
/// </param>
[GenerateSerializer, Immutable, Alias("sse.InvocationRequest")]
public sealed record InvocationRequest(
    [property: Id(0)] string PayloadJson,
    [property: Id(1)] string? ClientId = null,
    [property: Id(2)] bool Async = false,
    [property: Id(3)] TimeSpan? Timeout = null,
    [property: Id(4)] string? RequestId = null,
    [property: Id(5)] bool Stream = false);
