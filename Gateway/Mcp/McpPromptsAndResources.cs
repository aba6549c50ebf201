using System.Security.Claims;
using System.Text.Json.Nodes;
using SseVirtualization.Gateway.Security;
using Microsoft.Extensions.Logging;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Prompts and resources of the registered remote MCP servers, passed through. Prompt names follow the tool
/// rule (plain unless two servers offer the same one, then <c>{registration}.{prompt}</c>); resource URIs are
/// kept as they are, and <c>resources/read</c> goes to the server that lists the URI, or whose URI template
/// covers it. A token sees and uses only the servers its scope names (as for their tools).
/// </summary>
internal sealed partial class McpPromptsAndResources(McpToolCatalog catalog, IGrainFactory grains, ILogger<McpPromptsAndResources> logger)
{
    public const int ResourceNotFound = -32002;

    public async Task<string> ListPromptsAsync(McpMessage request, ClaimsPrincipal caller)
    {
        var prompts = await PromptsAsync(caller);
        return McpProtocol.Result(request.IdJson, new JsonObject { ["prompts"] = new JsonArray(prompts.Select(p => p.Json.DeepClone()).ToArray()) }.ToJsonString());
    }

    public async Task<string> GetPromptAsync(McpMessage request, ClaimsPrincipal caller)
    {
        var name = request.StringParam("name");
        var prompt = name is null ? null : (await PromptsAsync(caller)).FirstOrDefault(p => p.Name == name);
        if (prompt is null)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"Unknown prompt: '{name}'.");
        }

        var parameters = JsonNode.Parse(request.Params.GetRawText())!.AsObject();
        parameters["name"] = prompt.UpstreamName;
        return await ForwardAsync(request, prompt.Server, "prompts/get", parameters.ToJsonString());
    }

    public async Task<string> ListAsync(McpMessage request, string method, string key, ClaimsPrincipal caller)
    {
        var items = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, list) in await ListEachAsync(method, key, caller))
        {
            foreach (var item in list)
            {
                var id = Text(item, "uri") ?? Text(item, "uriTemplate");
                if (id is not null && seen.Add(id))
                {
                    items.Add(item!.DeepClone());
                }
            }
        }

        return McpProtocol.Result(request.IdJson, new JsonObject { [key] = items }.ToJsonString());
    }

    public async Task<string> ReadResourceAsync(McpMessage request, ClaimsPrincipal caller)
    {
        var uri = request.StringParam("uri");
        if (uri is null)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, "'uri' (a string) is required.");
        }

        var server = (await ListEachAsync("resources/list", "resources", caller))
            .FirstOrDefault(s => s.Items.Any(r => Text(r, "uri") == uri)).Server;
        server ??= (await ListEachAsync("resources/templates/list", "resourceTemplates", caller))
            .FirstOrDefault(s => s.Items.Any(t => Covers(Text(t, "uriTemplate"), uri))).Server;
        return server is null
            ? McpProtocol.Error(request.IdJson, ResourceNotFound, $"Resource not found: '{uri}'.")
            : await ForwardAsync(request, server, "resources/read", request.Params.GetRawText());
    }

    /// <summary>Whether a URI template's fixed start (up to its first variable) begins <paramref name="uri"/>.</summary>
    private static bool Covers(string? template, string uri)
    {
        if (string.IsNullOrEmpty(template))
        {
            return false;
        }

        var brace = template.IndexOf('{', StringComparison.Ordinal);
        var prefix = brace < 0 ? template : template[..brace];
        return prefix.Length > 0 && uri.StartsWith(prefix, StringComparison.Ordinal);
    }

    private async Task<string> ForwardAsync(McpMessage request, string server, string method, string paramsJson)
    {
        var reply = await grains.GetGrain<IMcpServerGrain>(server).RequestAsync(method, paramsJson);
        return reply.Kind == McpUpstreamMessageKind.Result
            ? McpProtocol.Result(request.IdJson, reply.Json)
            : McpProtocol.RawError(request.IdJson, reply.Json);
    }

    private async Task<List<Prompt>> PromptsAsync(ClaimsPrincipal caller)
    {
        var offered = await ListEachAsync("prompts/list", "prompts", caller);
        var counts = offered.SelectMany(s => s.Items).Select(p => Text(p, "name")).OfType<string>()
            .GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var prompts = new List<Prompt>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (server, items) in offered)
        {
            foreach (var item in items)
            {
                var upstreamName = Text(item, "name");
                if (upstreamName is null)
                {
                    continue;
                }

                var name = counts[upstreamName] > 1 ? $"{server}.{upstreamName}" : upstreamName;
                if (!taken.Add(name))
                {
                    continue; // a namespaced name can still meet a plain one; the first keeps it
                }

                var json = item!.DeepClone().AsObject();
                json["name"] = name;
                prompts.Add(new Prompt(name, server, upstreamName, json));
            }
        }

        return prompts;
    }

    /// <summary>The string property of an item, or null (also when the item is not an object or the value not a string).</summary>
    private static string? Text(JsonNode? item, string property) =>
        item is JsonObject json && json[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private async Task<List<(string Server, List<JsonNode?> Items)>> ListEachAsync(string method, string key, ClaimsPrincipal caller)
    {
        var servers = (await catalog.ServersAsync()).Where(server => CallerAccess.MayCallTool(caller, server));
        var lists = await Task.WhenAll(servers.Select(async server =>
        {
            try
            {
                var reply = await grains.GetGrain<IMcpServerGrain>(server).RequestAsync(method, "{}");
                return reply.Kind == McpUpstreamMessageKind.Result && JsonNode.Parse(reply.Json)?[key] is JsonArray items
                    ? (server, items.Where(item => item is JsonObject).ToList())
                    : (server, new List<JsonNode?>());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogServerUnavailable(logger, ex, server, method);
                return (server, new List<JsonNode?>());
            }
        }));
        return lists.ToList();
    }

    private sealed record Prompt(string Name, string Server, string UpstreamName, JsonObject Json);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "The MCP server {Server} did not answer {Method}; its items are left out")]
    private static partial void LogServerUnavailable(ILogger logger, Exception exception, string server, string method);
}
