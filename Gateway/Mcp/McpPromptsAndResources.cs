using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using SseVirtualization.Gateway.Security;
using Microsoft.Extensions.Logging;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Prompts, resources, resource subscriptions and completions of the registered remote MCP servers, passed through
/// the session's upstream sessions. Prompt names follow the tool rule (plain unless two servers offer the same one,
/// then <c>{registration}.{prompt}</c>); resource URIs are kept as they are, and a request about a URI goes to the
/// server that lists it, or whose URI template covers it. A token sees and uses only the servers its scope names
/// (as for their tools).
/// </summary>
internal sealed partial class McpPromptsAndResources(McpToolCatalog catalog, IGrainFactory grains, ILogger<McpPromptsAndResources> logger)
{
    public const int ResourceNotFound = -32002;

    public async Task<string> ListPromptsAsync(string sessionId, McpMessage request, ClaimsPrincipal caller)
    {
        var prompts = await PromptsAsync(sessionId, caller);
        return McpProtocol.Result(request.IdJson, new JsonObject { ["prompts"] = new JsonArray(prompts.Select(p => p.Json.DeepClone()).ToArray()) }.ToJsonString());
    }

    public async Task<string> ListAsync(string sessionId, McpMessage request, string method, string key, ClaimsPrincipal caller)
    {
        var items = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, list) in await ListEachAsync(sessionId, method, key, caller))
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

    /// <summary>
    /// <c>prompts/get</c>, <c>resources/read</c>, <c>resources/subscribe</c>, <c>resources/unsubscribe</c> and
    /// <c>completion/complete</c>: to the server that owns the prompt or the URI, with the prompt's own name.
    /// </summary>
    public async Task<string?> ForwardAsync(string sessionId, McpMessage request, ClaimsPrincipal caller, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        var parameters = JsonNode.Parse(request.Params.ValueKind == JsonValueKind.Object ? request.Params.GetRawText() : "{}")!.AsObject();
        var (server, refusal) = request.Method switch
        {
            "prompts/get" => await PromptServerAsync(sessionId, parameters, caller, request.IdJson),
            "completion/complete" => parameters["ref"] is JsonObject reference && Text(reference, "type") == "ref/prompt"
                ? await PromptServerAsync(sessionId, reference, caller, request.IdJson)
                : await UriServerAsync(sessionId, parameters["ref"] is JsonObject resource ? Text(resource, "uri") : null, caller, request.IdJson),
            _ => await UriServerAsync(sessionId, Text(parameters, "uri"), caller, request.IdJson),
        };
        return refusal ?? await McpUpstreamForwarding.ForwardAsync(grains, sessionId, server!, request, request.Method!, parameters.ToJsonString(), notify, cancellationToken);
    }

    /// <summary>The server of the prompt named in <paramref name="holder"/> (whose name becomes the server's own), or a refusal.</summary>
    private async Task<(string? Server, string? Refusal)> PromptServerAsync(string sessionId, JsonObject holder, ClaimsPrincipal caller, string? idJson)
    {
        var name = Text(holder, "name");
        var prompt = name is null ? null : (await PromptsAsync(sessionId, caller)).FirstOrDefault(p => p.Name == name);
        if (prompt is null)
        {
            return (null, McpProtocol.Error(idJson, McpProtocol.InvalidParams, $"Unknown prompt: '{name}'."));
        }

        holder["name"] = prompt.UpstreamName;
        return (prompt.Server, null);
    }

    /// <summary>The server that lists <paramref name="uri"/>, or whose URI template covers it (or is it), or a refusal.</summary>
    private async Task<(string? Server, string? Refusal)> UriServerAsync(string sessionId, string? uri, ClaimsPrincipal caller, string? idJson)
    {
        if (uri is null)
        {
            return (null, McpProtocol.Error(idJson, McpProtocol.InvalidParams, "'uri' (a string) is required."));
        }

        var server = (await ListEachAsync(sessionId, "resources/list", "resources", caller))
            .FirstOrDefault(s => s.Items.Any(r => Text(r, "uri") == uri)).Server;
        server ??= (await ListEachAsync(sessionId, "resources/templates/list", "resourceTemplates", caller))
            .FirstOrDefault(s => s.Items.Any(t => Text(t, "uriTemplate") == uri || Covers(Text(t, "uriTemplate"), uri))).Server;
        return server is null ? (null, McpProtocol.Error(idJson, ResourceNotFound, $"Resource not found: '{uri}'.")) : (server, null);
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

    private async Task<List<Prompt>> PromptsAsync(string sessionId, ClaimsPrincipal caller)
    {
        var offered = await ListEachAsync(sessionId, "prompts/list", "prompts", caller);
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

    private async Task<List<(string Server, List<JsonNode?> Items)>> ListEachAsync(string sessionId, string method, string key, ClaimsPrincipal caller)
    {
        var servers = (await catalog.ServersAsync()).Where(server => CallerAccess.MayCallTool(caller, server));
        var lists = await Task.WhenAll(servers.Select(async server =>
        {
            try
            {
                var reply = await grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, server)).ListAsync(method, key);
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
}
