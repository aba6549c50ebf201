using Orleans.Concurrency;

namespace SseVirtualization.Mcp;

/// <summary>
/// One idempotency key of one caller (key: <see cref="McpIdempotencyKey.Format"/>): the first <c>tools/call</c> that
/// claims it runs, a repeat within the window joins it while it runs or gets its stored answer, so a client that
/// re-sends a call after a dropped stream does not run it twice.
/// </summary>
public interface IMcpIdempotentCallGrain : IGrainWithStringKey
{
    /// <summary>Claims the key for a call whose parameters hash to <paramref name="fingerprint"/>.</summary>
    Task<McpIdempotentClaim> ClaimAsync(string fingerprint, TimeSpan window);

    /// <summary>
    /// Stores the answer of the call that claimed the key (a JSON-RPC response) and hands it to those waiting; nothing
    /// when <paramref name="claimId"/> is no longer the claim (it lapsed and another call claimed the key).
    /// </summary>
    Task CompleteAsync(string claimId, string answerJson);

    /// <summary>The call that claimed the key ended without an answer to keep: the next repeat runs it (unless the claim lapsed).</summary>
    Task AbandonAsync(string claimId);

    /// <summary>The answer of the call in flight once it has one; null when it was abandoned.</summary>
    [AlwaysInterleave]
    [ResponseTimeout("00:16:00")]
    Task<string?> WaitAsync();
}

/// <summary>What a claim found.</summary>
/// <param name="Kind">Run it, take the stored answer, wait for the one in flight, or refuse a different call under the same key.</param>
/// <param name="AnswerJson">The stored answer, for <see cref="McpIdempotentClaimKind.Stored"/>.</param>
/// <param name="ClaimId">For <see cref="McpIdempotentClaimKind.Run"/>: the claim, which completing or abandoning names.</param>
[GenerateSerializer, Immutable, Alias("sse.McpIdempotentClaim")]
public sealed record McpIdempotentClaim(
    [property: Id(0)] McpIdempotentClaimKind Kind,
    [property: Id(1)] string? AnswerJson = null,
    [property: Id(2)] string? ClaimId = null);

/// <summary>The kinds of <see cref="McpIdempotentClaim"/>.</summary>
public enum McpIdempotentClaimKind
{
    Run,
    Stored,
    InFlight,
    Conflict,
}

/// <summary>Keys of <see cref="IMcpIdempotentCallGrain"/>: a hash of the caller and the client's key, so neither is stored in the clear.</summary>
public static class McpIdempotencyKey
{
    public static string Format(string owner, string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(owner + "\n" + key)));
}
