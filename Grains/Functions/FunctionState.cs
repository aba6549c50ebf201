using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// A function as stored: header values and endpoint query strings redacted in <see cref="Function"/>, encrypted in
/// <see cref="ProtectedHeaders"/> and <see cref="ProtectedEndpoints"/>.
/// </summary>
[GenerateSerializer, Alias("sse.FunctionState")]
internal sealed class FunctionState
{
    [Id(0)]
    public RegisteredFunction? Function { get; set; }

    [Id(1)]
    public string? ProtectedHeaders { get; set; }

    /// <summary>The endpoints as registered, encrypted, when one has a query string; null when none has.</summary>
    [Id(3)]
    public string? ProtectedEndpoints { get; set; }

    // Id 2 held the one upstream MCP session a registration used to share; upstream sessions are per downstream
    // session now (McpUpstreamGrain). Stored states that still have it read fine: unknown fields are skipped.
}
