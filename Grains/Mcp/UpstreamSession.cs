namespace SseVirtualization.Grains.Mcp;

/// <summary>What the initialize handshake with a remote MCP server settled; enough to resume its session.</summary>
[GenerateSerializer, Alias("sse.UpstreamSession")]
internal sealed record UpstreamSession(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string ProtocolVersion,
    [property: Id(2)] string ServerName,
    [property: Id(3)] string ServerVersion,
    [property: Id(4)] string CapabilitiesJson,
    [property: Id(5)] string? Instructions);
