using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>A function as stored: header values redacted in <see cref="Function"/>, encrypted in <see cref="ProtectedHeaders"/>.</summary>
[GenerateSerializer, Alias("sse.FunctionState")]
internal sealed class FunctionState
{
    [Id(0)]
    public RegisteredFunction? Function { get; set; }

    [Id(1)]
    public string? ProtectedHeaders { get; set; }

    // Id 2 held the one upstream MCP session a registration used to share; upstream sessions are per downstream
    // session now (McpUpstreamGrain). Stored states that still have it read fine: unknown fields are skipped.
}
