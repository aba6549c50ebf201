using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using SseVirtualization.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Invocation;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The tasks extension of MCP 2026-07-28 (<c>io.modelcontextprotocol/tasks</c>) on the layer's durable async
/// invocations. A <c>tools/call</c> of a function, from a client that declares the extension, is accepted as an async
/// invocation (written to its client grain's ledger before the answer, re-driven if its silo dies) and answered with a
/// task at once; <c>tasks/get</c> reads the client grain on any silo. The task's client is the SSE client the call
/// names in <c>_meta.clientId</c> (the result also reaches that client's stream), else one of its own.
/// </summary>
internal sealed class McpModernTasks(IGrainFactory grains, ILocalFunctionCalls local, TimeProvider time)
{
    public const string Extension = "io.modelcontextprotocol/tasks";

    /// <summary>How long a task's result is kept: the client log's age bound (<c>Clients:MaxEventAge</c>, 24 h by default).</summary>
    private const long TtlMs = 24 * 60 * 60 * 1000;

    private const long PollIntervalMs = 1000;

    /// <summary>Whether the request's client declared the extension (then a task may be the answer).</summary>
    public static bool Declared(McpModernEnvelope envelope) =>
        JsonNode.Parse(envelope.ClientCapabilitiesJson)?["extensions"]?[Extension] is JsonObject;

    /// <summary>Starts the function as a task; the answer is the task, or the refusal as a tool result or error.</summary>
    public async Task<string> StartAsync(McpMessage request, string function, string argumentsJson, ClaimsPrincipal caller)
    {
        var clientId = request.Params.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("clientId", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString()! : null;
        if (clientId is not null && !Http.Names.IsValidClientId(clientId))
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"'_meta.clientId' must match {Http.Names.ClientIdRule}.");
        }

        if (clientId is not null && !CallerAccess.MayResultGoTo(caller, clientId))
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, "A token may only name its own client id; results for other clients need a service key.");
        }

        clientId ??= "mcp-task-" + Guid.NewGuid().ToString("N")[..20];
        var accepted = await local.InvokeAsync(grains, function, new InvocationRequest(argumentsJson, clientId, Async: true, RequestId: TaskRequestId(caller)));
        if (accepted.Outcome != InvocationOutcome.Accepted)
        {
            // Refused before it started (throttled, a full ledger): an ordinary failed tool result, no task.
            return McpProtocol.Result(request.IdJson, ToolResults.FromInvocation(accepted));
        }

        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var task = TaskJson(TaskId(clientId, accepted.RequestId), "working", now);
        task["resultType"] = "task";
        task["ttlMs"] = TtlMs;
        task["pollIntervalMs"] = PollIntervalMs;
        return McpProtocol.Result(request.IdJson, task.ToJsonString());
    }

    /// <summary><c>tasks/get</c>: working while the invocation is pending, then completed with its tool result.</summary>
    public async Task<string> GetAsync(McpMessage request, ClaimsPrincipal caller)
    {
        // Only a task this caller started: its request id carries the caller's mark (an /invoke caller picks its own).
        if (Parse(request.StringParam("taskId")) is not var (clientId, requestId) || !requestId.StartsWith(OwnerMark(caller), StringComparison.Ordinal))
        {
            return UnknownTask(request);
        }

        var progress = await grains.ReferenceTo<IClientGrain>(clientId).GetInvocationAsync(requestId);
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        JsonObject task;
        if (progress.Result is { } result)
        {
            task = TaskJson(request.StringParam("taskId")!, "completed", result.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            task["result"] = JsonNode.Parse(ToolResults.FromInvocation(InvocationOf(requestId, result.DataJson)));
        }
        else if (progress.Pending)
        {
            task = TaskJson(request.StringParam("taskId")!, "working", now);
        }
        else
        {
            return UnknownTask(request);
        }

        task["resultType"] = "complete";
        return McpProtocol.Result(request.IdJson, task.ToJsonString());
    }

    /// <summary>
    /// <c>tasks/cancel</c> and <c>tasks/update</c> are acknowledged: an accepted invocation runs to its end (a function's
    /// HTTP call is not cancelled) and never asks for input.
    /// </summary>
    public static string Acknowledge(McpMessage request) =>
        Parse(request.StringParam("taskId")) is null ? UnknownTask(request) : McpProtocol.Result(request.IdJson, """{"resultType":"complete"}""");

    /// <summary>A task's request id: the caller's mark, then 128 random bits (not guessable).</summary>
    private static string TaskRequestId(ClaimsPrincipal caller) => OwnerMark(caller) + Guid.NewGuid().ToString("N");

    /// <summary>"mcptask-" and a hash of the caller: who may read the task.</summary>
    private static string OwnerMark(ClaimsPrincipal caller) =>
        "mcptask-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CallerAccess.OwnerOf(caller))))[..16] + "-";

    /// <summary>The task id: the client and the request id, which <c>tasks/get</c> reads back.</summary>
    private static string TaskId(string clientId, string requestId) => $"{clientId}~{requestId}";

    private static (string ClientId, string RequestId)? Parse(string? taskId)
    {
        var tilde = taskId?.LastIndexOf('~') ?? -1;
        if (tilde <= 0 || tilde == taskId!.Length - 1 || !Http.Names.IsValidClientId(taskId[..tilde]))
        {
            return null;
        }

        return (taskId[..tilde], taskId[(tilde + 1)..]);
    }

    private static JsonObject TaskJson(string taskId, string status, string updatedAt) => new()
    {
        ["taskId"] = taskId,
        ["status"] = status,
        ["createdAt"] = updatedAt,
        ["lastUpdatedAt"] = updatedAt,
    };

    /// <summary>The logged <c>function_response</c> (the invocation result as <c>/invoke</c> answers it), read back.</summary>
    private static InvocationResult InvocationOf(string requestId, string dataJson)
    {
        var data = JsonNode.Parse(dataJson) as JsonObject ?? [];
        var success = data["success"] is JsonValue ok && ok.TryGetValue<bool>(out var succeeded) && succeeded;
        var status = data["status_code"] is JsonValue code && code.TryGetValue<int>(out var number) ? number : 0;
        var error = data["error"] is JsonValue message && message.TryGetValue<string>(out var text) ? text : null;
        var function = data["function"] is JsonValue name && name.TryGetValue<string>(out var named) ? named : string.Empty;
        return new InvocationResult(requestId, function, success ? InvocationOutcome.Succeeded : InvocationOutcome.FunctionError, status, data["data"]?.ToJsonString(), error, 0);
    }

    private static string UnknownTask(McpMessage request) =>
        McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, "Unknown task: it never existed, or its result is no longer kept.");
}
