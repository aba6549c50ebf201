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

    /// <summary>For a remote MCP server: the upstream session the layer holds with it, so a new activation resumes it.</summary>
    [Id(2)]
    public Mcp.UpstreamSession? Upstream { get; set; }
}
