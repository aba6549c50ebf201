namespace SseVirtualization.Mcp;

/// <summary>One server-to-client JSON-RPC message of an MCP session's SSE stream.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Stream">Which stream: <see cref="McpEventId.StandaloneStream"/> or a POST response stream.</param>
/// <param name="Sequence">Increases by one per message of the session.</param>
/// <param name="MessageJson">The JSON-RPC message.</param>
[GenerateSerializer, Immutable, Alias("sse.McpStreamEvent")]
public sealed record McpStreamEvent(
    [property: Id(0)] string SessionId,
    [property: Id(1)] int Stream,
    [property: Id(2)] long Sequence,
    [property: Id(3)] string MessageJson)
{
    /// <summary>The SSE <c>id:</c> of this message.</summary>
    public string EventId => McpEventId.Format(Stream, Sequence);
}
