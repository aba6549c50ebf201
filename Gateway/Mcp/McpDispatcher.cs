using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Answers the requests of an established MCP session: ping, tools/list, tools/call, logging/setLevel. A tool call
/// goes to the function grain (one invocation) or to the remote MCP server's grain, whose progress notifications
/// pass through <c>notify</c> before the response.
/// </summary>
internal sealed class McpDispatcher(McpToolCatalog catalog, McpPromptsAndResources passThrough, IGrainFactory grains)
{
    private static readonly string[] LogLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    public static string InitializeResult(string protocolVersion, McpOptions options) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["protocolVersion"] = protocolVersion,
        ["capabilities"] = new Dictionary<string, object>
        {
            ["tools"] = new Dictionary<string, object> { ["listChanged"] = true },
            ["prompts"] = new Dictionary<string, object>(),
            ["resources"] = new Dictionary<string, object>(),
            ["logging"] = new Dictionary<string, object>(),
        },
        ["serverInfo"] = new Dictionary<string, object> { ["name"] = options.ServerName, ["version"] = "1.0.0" },
        ["instructions"] = "Tools are the serverless functions and remote MCP servers registered with this SSE Virtualization Layer cluster.",
    });

    /// <summary>Whether answering <paramref name="request"/> may take long (worth an SSE stream and resumability).</summary>
    public static bool IsLong(McpMessage request) => request.Method == "tools/call";

    /// <summary>Answers one request with a whole JSON-RPC response; notifications on the way go to <paramref name="notify"/>.</summary>
    public async Task<string> AnswerAsync(
        string sessionId, McpMessage request, ClaimsPrincipal caller, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        switch (request.Method)
        {
            case "ping":
                return McpProtocol.Result(request.IdJson, "{}");
            case "tools/list":
                return await ListToolsAsync(request);
            case "tools/call":
                return await CallToolAsync(request, caller, notify, cancellationToken);
            case "logging/setLevel":
                var level = request.StringParam("level");
                if (level is null || Array.IndexOf(LogLevels, level) < 0)
                {
                    return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"'level' must be one of {string.Join(", ", LogLevels)}.");
                }

                await grains.GetGrain<IMcpSessionGrain>(sessionId).SetLogLevelAsync(level);
                return McpProtocol.Result(request.IdJson, "{}");
            case "prompts/list":
                return await passThrough.ListPromptsAsync(request, caller);
            case "prompts/get":
                return await passThrough.GetPromptAsync(request, caller);
            case "resources/list":
                return await passThrough.ListAsync(request, "resources/list", "resources", caller);
            case "resources/templates/list":
                return await passThrough.ListAsync(request, "resources/templates/list", "resourceTemplates", caller);
            case "resources/read":
                return await passThrough.ReadResourceAsync(request, caller);
            case "initialize":
                return McpProtocol.Error(request.IdJson, McpProtocol.InvalidRequest, "The session is already initialized.");
            default:
                return McpProtocol.Error(request.IdJson, McpProtocol.MethodNotFound, $"Method '{request.Method}' is not supported by this server.");
        }
    }

    private async Task<string> ListToolsAsync(McpMessage request)
    {
        var tools = await catalog.ListAsync();
        return McpProtocol.Result(request.IdJson, "{\"tools\":[" + string.Join(',', tools.Select(t => t.ToolJson)) + "]}");
    }

    private async Task<string> CallToolAsync(McpMessage request, ClaimsPrincipal caller, Func<string, Task> notify, CancellationToken cancellationToken)
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

        string? progressToken = null;
        if (request.Params.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("progressToken", out var token) && token.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            progressToken = token.GetRawText();
        }

        var tool = await catalog.FindAsync(name);
        if (tool is null)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"Unknown tool: '{name}'.");
        }

        if (!CallerAccess.MayCallTool(caller, tool.Source))
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"The token's scope does not include 'invoke:{tool.Source}'.");
        }

        return tool.UpstreamName is null
            ? McpProtocol.Result(request.IdJson, await CallFunctionAsync(tool.Source, arguments))
            : await CallUpstreamAsync(request, tool, arguments, progressToken, notify, cancellationToken);
    }

    private async Task<string> CallFunctionAsync(string function, string argumentsJson)
    {
        var result = await grains.GetGrain<IFunctionGrain>(function).InvokeAsync(new InvocationRequest(argumentsJson));
        return ToolResults.FromInvocation(result);
    }

    private async Task<string> CallUpstreamAsync(
        McpMessage request, McpTool tool, string argumentsJson, string? progressToken, Func<string, Task> notify, CancellationToken cancellationToken)
    {
        await foreach (var message in grains.GetGrain<IMcpServerGrain>(tool.Source).CallToolAsync(tool.UpstreamName!, argumentsJson, progressToken, cancellationToken))
        {
            switch (message.Kind)
            {
                case McpUpstreamMessageKind.Notification:
                    await notify(message.Json);
                    break;
                case McpUpstreamMessageKind.Result:
                    return McpProtocol.Result(request.IdJson, message.Json);
                case McpUpstreamMessageKind.Error:
                    return McpProtocol.RawError(request.IdJson, message.Json);
            }
        }

        return McpProtocol.Result(request.IdJson, ToolResults.Failure("The MCP server ended the call without a result."));
    }
}
