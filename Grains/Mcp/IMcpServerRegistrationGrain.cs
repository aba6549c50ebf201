namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// The connection details of a remote MCP server registration (a function of kind <c>mcp</c>), for the layer's own
/// upstream grains. Inside the cluster only: headers travel encrypted, as they are stored.
/// </summary>
internal interface IMcpServerRegistrationGrain : IGrainWithStringKey
{
    /// <summary>The server's endpoint and headers, or null when the registration is not an active MCP server.</summary>
    /// <remarks>A read of state: it need not wait behind a registration change (and its egress checks).</remarks>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<McpServerRegistration?> GetMcpServerAsync();
}

/// <summary>Where a remote MCP server is and how to call it.</summary>
/// <param name="Endpoint">Its Streamable HTTP URL.</param>
/// <param name="ProtectedHeaders">Its headers, encrypted (<see cref="Functions.FunctionSecrets"/>), or null when it has none.</param>
/// <param name="Timeout">How long one request to it may take.</param>
/// <param name="Revision">When the registration last changed: an upstream session opened before belongs to the old one.</param>
[GenerateSerializer, Immutable, Alias("sse.McpServerRegistration")]
internal sealed record McpServerRegistration(
    [property: Id(0)] Uri Endpoint,
    [property: Id(1)] string? ProtectedHeaders,
    [property: Id(2)] TimeSpan Timeout,
    [property: Id(3)] DateTimeOffset Revision);
