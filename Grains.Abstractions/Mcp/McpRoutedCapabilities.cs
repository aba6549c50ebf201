using System.Text.Json.Nodes;

namespace SseVirtualization.Mcp;

/// <summary>
/// The client capabilities the layer passes to remote MCP servers: those whose requests (roots, sampling, elicitation)
/// have a way back to the client, as server requests in a session or as rounds of a 2026-07-28 request. Others
/// (tasks, experimental, future ones) are not declared upstream.
/// </summary>
public static class McpRoutedCapabilities
{
    public static readonly IReadOnlyList<string> Names = ["roots", "sampling", "elicitation"];

    /// <summary>The routed part of a client's capabilities object, as compact JSON (the same text for the same capabilities).</summary>
    public static string Of(string capabilitiesJson)
    {
        var declared = JsonNode.Parse(capabilitiesJson) as JsonObject ?? [];
        var routed = new JsonObject();
        foreach (var name in Names)
        {
            if (declared[name] is { } capability)
            {
                routed[name] = capability.DeepClone();
            }
        }

        return routed.ToJsonString();
    }
}
