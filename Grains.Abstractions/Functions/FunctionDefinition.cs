namespace SseVirtualization.Functions;

/// <summary>What a caller registers: a serverless HTTP function, the endpoints that serve it and how to call them.</summary>
/// <param name="Name">Unique name, <c>[A-Za-z0-9_.-]{1,64}</c>; the function grain's key.</param>
/// <param name="Endpoints">Absolute http(s) URLs that each serve the function (at least one).</param>
/// <param name="Method">HTTP method used to call it (POST by default).</param>
/// <param name="Timeout">How long one invocation may take, retries included, before it is abandoned.</param>
/// <param name="Description">Free text shown in listings.</param>
/// <param name="Headers">Headers sent on every call. They often hold secrets: never returned by the API.</param>
/// <param name="Routing">Load balancing, health checks, retries, circuit breaking and concurrency.</param>
/// <param name="Kind"><see cref="HttpKind"/> (a serverless HTTP function) or <see cref="McpKind"/> (a remote MCP server, Streamable HTTP).</param>
/// <param name="InputSchemaJson">JSON Schema of the payload; when set, the function is also an MCP tool.</param>
/// <param name="OutputSchemaJson">JSON Schema of the answer, shown to MCP clients as the tool's outputSchema.</param>
/// <param name="Tools">For a remote MCP server, which of its tools are offered and under what names; null offers all as they are.</param>
/// <param name="ToolRateLimit">How often one caller may call each MCP tool of this registration; null: no limit of its own.</param>
[GenerateSerializer, Immutable, Alias("sse.FunctionDefinition")]
public sealed record FunctionDefinition(
    [property: Id(0)] string Name,
    [property: Id(6)] IReadOnlyList<Uri> Endpoints,
    [property: Id(2)] string Method,
    [property: Id(3)] TimeSpan Timeout,
    [property: Id(4)] string Description,
    [property: Id(5)] IReadOnlyDictionary<string, string> Headers,
    [property: Id(7)] FunctionRouting Routing,
    [property: Id(8)] string? Kind = null,
    [property: Id(9)] string? InputSchemaJson = null,
    [property: Id(10)] string? OutputSchemaJson = null,
    [property: Id(11)] McpToolShaping? Tools = null,
    [property: Id(12)] ToolRateLimit? ToolRateLimit = null)
{
    /// <summary>A serverless HTTP function (the default).</summary>
    public const string HttpKind = "http";

    /// <summary>A remote MCP server whose tools the layer serves.</summary>
    public const string McpKind = "mcp";

    /// <summary>Whether this registration is a remote MCP server.</summary>
    public bool IsMcpServer => string.Equals(Kind, McpKind, StringComparison.Ordinal);
}
