using Orleans.Concurrency;

namespace SseVirtualization.Functions;

/// <summary>A registered serverless HTTP function. Key: the function's name.</summary>
/// <remarks>
/// Registration changes and reads are plain grain calls: they run one at a time. Only the invocation methods
/// interleave, so calls of one function run concurrently and never wait behind a registration change or a slow call;
/// a call keeps the registration it started with.
/// </remarks>
public interface IFunctionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates or replaces the registration and lists the name in <see cref="IFunctionRegistryGrain"/>, or stores nothing
    /// and answers why (<see cref="RegistrationResult.Refusal"/>: an endpoint the egress policy refuses).
    /// </summary>
    Task<RegistrationResult> RegisterAsync(FunctionDefinition definition);

    /// <summary>The stored registration, or null when none.</summary>
    Task<RegisteredFunction?> GetAsync();

    /// <summary>Removes the registration. Returns <c>false</c> when there was none.</summary>
    Task<bool> DeleteAsync();

    /// <summary>
    /// Calls the function. Invocations of one function run concurrently. With
    /// <see cref="InvocationRequest.Async"/> the answer is <see cref="InvocationOutcome.Accepted"/> at once and the
    /// result goes to the client's SSE stream; otherwise the answer is the result (also sent to the client's
    /// stream when <see cref="InvocationRequest.ClientId"/> is set).
    /// </summary>
    [AlwaysInterleave]
    [ResponseTimeout("00:16:00")] // the longest allowed function timeout (15 min) plus slack
    Task<InvocationResult> InvokeAsync(InvocationRequest request);

    /// <summary>
    /// Calls the function synchronously and yields its answer as it arrives: one element per item of a streaming
    /// answer (NDJSON lines, SSE events) or one for a plain answer, then a last element carrying the result.
    /// The function's answer is read no faster than the caller enumerates.
    /// </summary>
    [AlwaysInterleave]
    IAsyncEnumerable<InvocationStreamItem> InvokeStreamAsync(InvocationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Endpoint health and invocation statistics of the active grain, with the calls each silo made itself added in;
    /// null when no function is registered. Interleaves: asking the silos must not hold up a registration change.
    /// </summary>
    [AlwaysInterleave]
    Task<FunctionStatus?> GetStatusAsync();
}
