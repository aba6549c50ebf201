namespace SseVirtualization.Functions;

/// <summary>
/// Which tools of a remote MCP server its registration offers, and under what names. Every name here is the tool's
/// name on the server. A tool not offered is neither listed nor callable; a renamed one is listed and called by its
/// new name and sent to the server under its own.
/// </summary>
/// <param name="Include">Only these tools are offered; null offers every tool not excluded.</param>
/// <param name="Exclude">These tools are not offered.</param>
/// <param name="Rename">Server name → the name clients see.</param>
[GenerateSerializer, Immutable, Alias("sse.McpToolShaping")]
public sealed record McpToolShaping(
    [property: Id(0)] IReadOnlyList<string>? Include,
    [property: Id(1)] IReadOnlyList<string> Exclude,
    [property: Id(2)] IReadOnlyDictionary<string, string> Rename)
{
    /// <summary>Whether the server's tool <paramref name="upstreamName"/> is offered.</summary>
    public bool Offers(string upstreamName) =>
        (Include is null || Include.Contains(upstreamName, StringComparer.Ordinal)) && !Exclude.Contains(upstreamName, StringComparer.Ordinal);

    /// <summary>The name clients see for the server's tool <paramref name="upstreamName"/>.</summary>
    public string ShownName(string upstreamName) => Rename.TryGetValue(upstreamName, out var shown) ? shown : upstreamName;
}
