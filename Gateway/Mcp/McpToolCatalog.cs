using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>One tool as MCP clients see it, and where calls of it go.</summary>
/// <param name="Name">The name clients use.</param>
/// <param name="Source">The function or MCP server registration behind it.</param>
/// <param name="UpstreamName">For a remote MCP server's tool, its name there; null for a function.</param>
/// <param name="ToolJson">The whole tool description, with <see cref="Name"/>.</param>
/// <param name="RateLimit">How often one caller may call it (its registration's <c>tool_rate_limit</c>), or null.</param>
internal sealed record McpTool(string Name, string Source, string? UpstreamName, string ToolJson, ToolRateLimit? RateLimit = null);

/// <summary>
/// The tools one MCP session sees: every function that declares an input schema, and every tool every registered
/// remote MCP server offers that session (servers may offer some tools only to clients with some capabilities) and
/// its registration offers (<see cref="McpToolShaping"/>: included, not excluded, perhaps renamed).
/// Names stay as they are (or as renamed) unless two sources offer the same one: then a function keeps it and each clashing server
/// tool becomes <c>{registration}.{tool}</c> (docs/mcp.md, tool names).
/// </summary>
internal sealed partial class McpToolCatalog(IGrainFactory grains, ILogger<McpToolCatalog> logger)
{
    /// <param name="sessionId">The downstream session (its upstream sessions list the servers' tools).</param>
    /// <param name="caller">
    /// Only the tools the caller may call are listed; servers it may not use are not asked (nor opened a session with on its behalf).
    /// </param>
    /// <param name="refresh">Ask every server again, even when its list is cached.</param>
    public async Task<IReadOnlyList<McpTool>> ListAsync(string sessionId, ClaimsPrincipal caller, bool refresh = false)
    {
        var tools = new List<McpTool>();
        var servers = new List<FunctionDefinition>();
        // A caller sees only what it may call: the same rule as its calls, its prompts and its resources. Decided here on
        // every list, from the caller of this request (upstream lists are cached per session, and a session's owner
        // may come back with a narrower token).
        foreach (var definition in (await RegistrationsAsync()).Where(d => CallerAccess.MayCallTool(caller, d.Name)))
        {
            if (definition.IsMcpServer)
            {
                servers.Add(definition);
            }
            else if (definition.InputSchemaJson is not null)
            {
                tools.Add(new McpTool(definition.Name, definition.Name, null, FunctionToolJson(definition), definition.ToolRateLimit));
            }
        }

        var upstreamTools = await Task.WhenAll(servers.Select(server => OfferedToolsAsync(sessionId, server, refresh)));
        var taken = new HashSet<string>(tools.Select(t => t.Name), StringComparer.Ordinal);
        var offered = upstreamTools.SelectMany(list => list).GroupBy(t => t.Shown, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var limits = servers.ToDictionary(s => s.Name, s => s.ToolRateLimit, StringComparer.Ordinal);
        foreach (var (server, tool, shown) in upstreamTools.SelectMany(list => list))
        {
            var clashes = taken.Contains(shown) || offered[shown] > 1;
            var name = clashes ? $"{server}.{shown}" : shown;
            if (!taken.Add(name))
            {
                continue; // a registration name with a dot can still collide; the first one keeps it
            }

            tools.Add(new McpTool(name, server, tool.Name, name != tool.Name ? Renamed(tool.ToolJson, name) : tool.ToolJson, limits[server]));
        }

        return tools;
    }

    /// <summary>The names of the registered remote MCP servers.</summary>
    public async Task<IReadOnlyList<string>> ServersAsync() =>
        (await RegistrationsAsync()).Where(d => d.IsMcpServer).Select(d => d.Name).ToList();

    /// <summary>Every active registration (functions and MCP servers), read from their grains.</summary>
    private async Task<IEnumerable<FunctionDefinition>> RegistrationsAsync()
    {
        var names = await grains.GetGrain<IFunctionRegistryGrain>(0).ListAsync();
        var registrations = await Task.WhenAll(names.Select(name => grains.ReferenceTo<IFunctionGrain>(name).GetAsync()));
        return registrations.Where(r => r is { IsActive: true }).Select(r => r!.Definition);
    }

    /// <summary>
    /// The tool called <paramref name="name"/>, or null. A function tool is found without asking any MCP server; a name
    /// no cached list has makes every server list its tools once more (a tool added upstream is callable at once).
    /// </summary>
    public async Task<McpTool?> FindAsync(string sessionId, string name, ClaimsPrincipal caller)
    {
        if (Http.Names.IsValidFunctionName(name)
            && await grains.ReferenceTo<IFunctionGrain>(name).GetAsync() is { IsActive: true, Definition: { InputSchemaJson: not null, IsMcpServer: false } definition })
        {
            return new McpTool(definition.Name, definition.Name, null, FunctionToolJson(definition), definition.ToolRateLimit);
        }

        return (await ListAsync(sessionId, caller)).FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal))
            ?? (await ListAsync(sessionId, caller, refresh: true)).FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
    }

    /// <summary>
    /// The server's tools its registration offers (<see cref="FunctionDefinition.Tools"/>), each with the name clients
    /// see before clashes are settled: a tool not offered is not listed, so it cannot be found, so it cannot be called.
    /// </summary>
    private async Task<IReadOnlyList<(string Server, McpUpstreamTool Tool, string Shown)>> OfferedToolsAsync(string sessionId, FunctionDefinition server, bool refresh)
    {
        try
        {
            var tools = await grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, server.Name)).ListToolsAsync(refresh);
            var shaping = server.Tools;
            return tools.Where(t => shaping is null || shaping.Offers(t.Name))
                .Select(t => (server.Name, t, shaping?.ShownName(t.Name) ?? t.Name))
                .ToList();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One unreachable server must not hide every other tool.
            LogServerUnavailable(logger, ex, server.Name);
            return [];
        }
    }

    /// <summary>The tool's description under the name clients see (only a clashing or renamed tool is parsed and written again).</summary>
    private static string Renamed(string toolJson, string name)
    {
        var description = JsonNode.Parse(toolJson)!.AsObject();
        description["name"] = name;
        return description.ToJsonString();
    }

    private static string FunctionToolJson(FunctionDefinition definition) => Http.JsonText.Object(writer =>
    {
        writer.WriteString("name", definition.Name);
        if (definition.Description.Length > 0)
        {
            writer.WriteString("description", definition.Description);
        }

        writer.WritePropertyName("inputSchema");
        writer.WriteRawValue(definition.InputSchemaJson!, skipInputValidation: true);
        if (definition.OutputSchemaJson is not null)
        {
            writer.WritePropertyName("outputSchema");
            writer.WriteRawValue(definition.OutputSchemaJson, skipInputValidation: true);
        }
    });
}
