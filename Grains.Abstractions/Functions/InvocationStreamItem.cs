namespace SseVirtualization.Functions;

/// <summary>
/// One element of <see cref="IFunctionGrain.InvokeStreamAsync"/>: an item of the function's answer, or, last of
/// all, the invocation's result (its totals, or why it failed).
/// </summary>
/// <param name="DataJson">The item as compact JSON; null on the final element.</param>
/// <param name="Final">The result, present only on the last element.</param>
[GenerateSerializer, Immutable, Alias("sse.InvocationStreamItem")]
public sealed record InvocationStreamItem(
    [property: Id(0)] string? DataJson,
    [property: Id(1)] InvocationResult? Final);
