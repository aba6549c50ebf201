namespace SseVirtualization.Mcp;

/// <summary>What an MCP session's initialize handshake settled.</summary>
/// <param name="ProtocolVersion">The negotiated protocol version.</param>
/// <param name="Transport"><c>streamable-http</c>, <c>sse</c> (the 2024-11-05 HTTP+SSE transport) or <c>stateless</c> (2026-07-28 requests).</param>
/// <param name="ClientName">The client's <c>clientInfo.name</c>.</param>
/// <param name="ClientVersion">The client's <c>clientInfo.version</c>.</param>
/// <param name="ClientCapabilitiesJson">The client's capabilities object as JSON.</param>
/// <param name="Owner">Who opened the session (API key name or token subject; empty when anonymous): only they may use it.</param>
/// <param name="LogLevel">The level set by <c>logging/setLevel</c>, or null.</param>
/// <param name="StartedAt">When the session started.</param>
[GenerateSerializer, Immutable, Alias("sse.McpSessionInfo")]
public sealed record McpSessionInfo(
    [property: Id(0)] string ProtocolVersion,
    [property: Id(1)] string Transport,
    [property: Id(2)] string ClientName,
    [property: Id(3)] string ClientVersion,
    [property: Id(4)] string ClientCapabilitiesJson,
    [property: Id(5)] string Owner,
    [property: Id(6)] string? LogLevel,
    [property: Id(7)] DateTimeOffset StartedAt)
{
    /// <summary>The Streamable HTTP transport.</summary>
    public const string StreamableHttp = "streamable-http";

    /// <summary>The legacy HTTP+SSE transport.</summary>
    public const string LegacySse = "sse";

    /// <summary>
    /// Requests of MCP 2026-07-28, which stand alone: the layer keeps one session per caller and client name for them,
    /// to hold their upstream sessions with remote MCP servers (the 2025 revisions those speak).
    /// </summary>
    public const string Stateless = "stateless";
}
