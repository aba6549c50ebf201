using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Invocation;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Answers the requests of an established MCP session. A tool call goes to the function grain (one invocation) or,
/// like prompts, resources, subscriptions and completions, to the session's upstream session with the remote MCP
/// server behind it, whose notifications and server requests pass through <c>notify</c> before the response.
/// </summary>
internal sealed partial class McpDispatcher(
    McpToolCatalog catalog,
    McpPromptsAndResources passThrough,
    McpIdempotentCalls idempotent,
    McpToolRateLimits rateLimits,
    IGrainFactory grains,
    ILocalFunctionCalls local,
    ILogger<McpDispatcher> logger)
{
    private static readonly string[] LogLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    public static string InitializeResult(string protocolVersion, McpOptions options) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["protocolVersion"] = protocolVersion,
        ["capabilities"] = new Dictionary<string, object>
        {
            ["tools"] = new Dictionary<string, object> { ["listChanged"] = true },
            ["prompts"] = new Dictionary<string, object> { ["listChanged"] = true },
            ["resources"] = new Dictionary<string, object> { ["subscribe"] = true, ["listChanged"] = true },
            ["completions"] = new Dictionary<string, object>(),
            ["logging"] = new Dictionary<string, object>(),
        },
        ["serverInfo"] = new Dictionary<string, object> { ["name"] = options.ServerName, ["version"] = "1.0.0" },
        ["instructions"] = Instructions,
    });

    public const string Instructions = "Tools are the serverless functions and remote MCP servers registered with this SSE Virtualization Layer cluster.";

    /// <summary>Whether answering <paramref name="request"/> may take long (worth an SSE stream and resumability).</summary>
    public static bool IsLong(McpMessage request) => request.Method == "tools/call";

    /// <summary>
    /// Answers one request with a whole JSON-RPC response; notifications and server requests on the way go to
    /// <paramref name="notify"/>. Null when the client cancelled the request (no answer is due).
    /// </summary>
    public async Task<string?> AnswerAsync(
        string sessionId, McpMessage request, ClaimsPrincipal caller, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case "ping":
                return McpProtocol.Result(request.IdJson, "{}");
            case "tools/list":
                return await ListToolsAsync(sessionId, request, caller);
            case "tools/call":
                return await idempotent.OnceAsync(request, caller, () => CallToolAsync(sessionId, request, caller, notify, cancellationToken));
            case "logging/setLevel":
                return await SetLevelAsync(sessionId, request);
            case "prompts/list":
                return await passThrough.ListPromptsAsync(sessionId, request, caller);
            case "resources/list":
                return await passThrough.ListAsync(sessionId, request, "resources/list", "resources", caller);
            case "resources/templates/list":
                return await passThrough.ListAsync(sessionId, request, "resources/templates/list", "resourceTemplates", caller);
            case "prompts/get":
            case "resources/read":
            case "resources/subscribe":
            case "resources/unsubscribe":
            case "completion/complete":
                return await passThrough.ForwardAsync(sessionId, request, caller, notify, cancellationToken);
            case "initialize":
                return McpProtocol.Error(request.IdJson, McpProtocol.InvalidRequest, "The session is already initialized.");
            default:
                return McpProtocol.Error(request.IdJson, McpProtocol.MethodNotFound, $"Method '{request.Method}' is not supported by this server.");
        }
    }

    private async Task<string> ListToolsAsync(string sessionId, McpMessage request, ClaimsPrincipal caller)
    {
        var tools = await catalog.ListAsync(sessionId, caller);
        return McpProtocol.Result(request.IdJson, "{\"tools\":[" + string.Join(',', tools.Select(t => t.ToolJson)) + "]}");
    }

    /// <summary>Kept in the session (later upstream sessions start at it) and passed to its upstream sessions.</summary>
    private async Task<string> SetLevelAsync(string sessionId, McpMessage request)
    {
        var level = request.StringParam("level");
        if (level is null || Array.IndexOf(LogLevels, level) < 0)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"'level' must be one of {string.Join(", ", LogLevels)}.");
        }

        var session = grains.ReferenceTo<IMcpSessionGrain>(sessionId);
        await session.SetLogLevelAsync(level);
        var upstreams = await session.UpstreamsAsync();
        await Task.WhenAll(upstreams.Select(async server =>
        {
            try
            {
                await grains.ReferenceTo<IMcpUpstreamGrain>(McpUpstreamKey.Format(sessionId, server)).SetLogLevelAsync(level);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One unreachable server must not fail the level for the others; it starts at it when it comes back.
                LogLevelNotPassed(logger, ex, server);
            }
        }));
        return McpProtocol.Result(request.IdJson, "{}");
    }

    private async Task<string?> CallToolAsync(string sessionId, McpMessage request, ClaimsPrincipal caller, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        var name = request.StringParam("name");
        if (name is null)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, "'name' (a string) is required.");
        }

        var arguments = "{}";
        if (request.Params.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
        {
            if (args.ValueKind != JsonValueKind.Object)
            {
                return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, "'arguments' must be an object.");
            }

            arguments = args.GetRawText();
        }

        var tool = await catalog.FindAsync(sessionId, name, caller);
        if (tool is null)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"Unknown tool: '{name}'.");
        }

        if (!CallerAccess.MayCallTool(caller, tool.Source))
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"The token's scope does not include 'invoke:{tool.Source}'.");
        }

        if (rateLimits.Refusal(request, caller, tool) is { } tooOften)
        {
            return tooOften;
        }

        if (tool.UpstreamName is null)
        {
            return McpProtocol.Result(request.IdJson, await CallFunctionAsync(tool.Source, arguments));
        }

        // Everything the client sent (arguments, _meta with its progress token) goes on; only the name is the server's own.
        var parameters = JsonNode.Parse(request.Params.GetRawText())!.AsObject();
        parameters["name"] = tool.UpstreamName;
        return await McpUpstreamForwarding.ForwardAsync(grains, sessionId, tool.Source, request, "tools/call", parameters.ToJsonString(), notify, cancellationToken);
    }

    private async Task<string> CallFunctionAsync(string function, string argumentsJson)
    {
        var result = await local.InvokeAsync(grains, function, new InvocationRequest(argumentsJson));
        return ToolResults.FromInvocation(result);
    }
}
