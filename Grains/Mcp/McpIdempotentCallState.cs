namespace SseVirtualization.Grains.Mcp;

/// <summary>An idempotency key as stored: the call that claimed it, and its answer once it has one.</summary>
[GenerateSerializer, Alias("sse.McpIdempotentCallState")]
internal sealed class McpIdempotentCallState
{
    /// <summary>A hash of the call's name and arguments: the same key for a different call is refused.</summary>
    [Id(0)]
    public string? Fingerprint { get; set; }

    [Id(1)]
    public DateTimeOffset ClaimedAt { get; set; }

    [Id(2)]
    public string? AnswerJson { get; set; }

    [Id(3)]
    public DateTimeOffset CompletedAt { get; set; }

    /// <summary>The claim that runs the call: only it may complete or abandon it.</summary>
    [Id(4)]
    public string? ClaimId { get; set; }
}
