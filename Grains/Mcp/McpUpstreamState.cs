namespace SseVirtualization.Grains.Mcp;

/// <summary>The upstream session an <see cref="McpUpstreamGrain"/> holds, so an activation on another silo resumes it without a handshake.</summary>
[GenerateSerializer, Alias("sse.McpUpstreamState")]
internal sealed class McpUpstreamState
{
    /// <summary>The upstream's <c>Mcp-Session-Id</c> (null: none yet, or the server keeps no sessions and none is needed).</summary>
    [Id(0)]
    public string? SessionId { get; set; }

    [Id(1)]
    public string? ProtocolVersion { get; set; }

    /// <summary>The upstream's server capabilities, as it announced them.</summary>
    [Id(2)]
    public string? CapabilitiesJson { get; set; }

    /// <summary>The registration's revision the session was opened for.</summary>
    [Id(3)]
    public DateTimeOffset Revision { get; set; }

    /// <summary>Whether the handshake completed (a server without session ids still has one).</summary>
    [Id(4)]
    public bool Initialized { get; set; }

    /// <summary>The server speaks 2026-07-28: no session, each request carries the envelope.</summary>
    [Id(5)]
    public bool Modern { get; set; }
}
