using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Multi-round-trip requests towards MCP 2026-07-28 clients. A remote server's sampling, elicitation or roots request
/// cannot reach a client that has no session: the layer answers the client's request with
/// <c>{"resultType":"input_required","inputRequests":{…},"requestState":…}</c> while the upstream request waits in its
/// grain; the client's next round (a new request with <c>inputResponses</c> and that <c>requestState</c>) answers the
/// server and goes on with the same upstream request. The request state names only the registration: the session the
/// layer keeps for the caller and client finds the rest, so another caller's state leads nowhere.
/// </summary>
internal static class McpInputRounds
{
    /// <summary>Whether a message the upstream sent is a request (for the client) rather than a notification.</summary>
    public static bool IsRequest(string messageJson)
    {
        using var message = JsonDocument.Parse(messageJson);
        return message.RootElement.TryGetProperty("id", out _) && message.RootElement.TryGetProperty("method", out _);
    }

    /// <summary>The result that asks the client for the upstream's requests, keyed by their ids.</summary>
    public static string InputRequired(string? idJson, IReadOnlyList<string> requests)
    {
        var inputs = new JsonObject();
        string? registration = null;
        foreach (var requestJson in requests)
        {
            var request = JsonNode.Parse(requestJson)!.AsObject();
            var key = request["id"]!.GetValue<string>();
            registration ??= McpUpstreamKey.RegistrationOf(key);
            inputs[key] = new JsonObject { ["method"] = request["method"]!.DeepClone(), ["params"] = request["params"]?.DeepClone() };
        }

        var state = Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["r"] = registration }.ToJsonString()));
        var result = new JsonObject { ["resultType"] = "input_required", ["inputRequests"] = inputs, ["requestState"] = state };
        return McpProtocol.Result(idJson, result.ToJsonString());
    }

    /// <summary>The registration whose upstream request a client's next round goes on with, or null for a fresh request.</summary>
    public static string? Resumes(McpMessage request)
    {
        if (request.Params.ValueKind != JsonValueKind.Object || !request.Params.TryGetProperty("requestState", out var state) || state.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            var registration = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(state.GetString()!)))?["r"]?.GetValue<string>();
            return Http.Names.IsValidFunctionName(registration) ? registration : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
