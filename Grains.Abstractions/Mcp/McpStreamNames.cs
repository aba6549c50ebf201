namespace SseVirtualization.Mcp;

/// <summary>Orleans streams of MCP (provider <see cref="Streams.StreamNames.Provider"/>).</summary>
public static class McpStreamNames
{
    /// <summary>Per session (key: session id): its live server-to-client messages, for the silo holding its stream.</summary>
    public const string SessionNamespace = "mcp-session";

    /// <summary>One stream (key <see cref="CatalogKey"/>) that says the tool catalog changed; every silo listens.</summary>
    public const string CatalogNamespace = "mcp-catalog";

    /// <summary>The key of the catalog stream.</summary>
    public const string CatalogKey = "tools";
}

/// <summary>Says that the tools of <paramref name="Source"/> (a function or an MCP server registration) changed.</summary>
[GenerateSerializer, Immutable, Alias("sse.McpCatalogChanged")]
public sealed record McpCatalogChanged([property: Id(0)] string Source);
