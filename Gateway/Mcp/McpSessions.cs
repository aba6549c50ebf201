using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>Starting sessions and finding the caller's own session from a request.</summary>
internal static class McpSessions
{
    /// <summary>
    /// The most a client's capabilities may weigh (characters of JSON): they are stored with the session for its life and
    /// passed to every upstream server. Real clients declare well under 1 KiB.
    /// </summary>
    public const int MaxCapabilitiesChars = 16 * 1024;

    /// <summary>The refusal of capabilities heavier than <see cref="MaxCapabilitiesChars"/>, or null.</summary>
    public static string? CapabilitiesRefusal(string capabilitiesJson) =>
        capabilitiesJson.Length > MaxCapabilitiesChars
            ? $"The client's capabilities weigh {capabilitiesJson.Length} characters of JSON; at most {MaxCapabilitiesChars} are accepted."
            : null;

    /// <summary>
    /// The refusal of a session its owner has no slot for (<c>Mcp:MaxSessionsPerOwner</c>). HTTP 429, as for other
    /// per-caller limits, with a JSON-RPC error (-32000, server error) whose message says how to free a slot.
    /// </summary>
    public static string TooManySessions(int limit) =>
        $"Too many MCP sessions: this caller already holds {limit} live sessions (Mcp:MaxSessionsPerOwner). End one with DELETE /mcp, or wait until an unused one expires.";

    /// <summary>128 random bits, hex: not guessable, and visible ASCII as the spec requires.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static McpSessionInfo InfoFromInitialize(McpMessage initialize, string transport, string owner, DateTimeOffset now)
    {
        var parameters = initialize.Params;
        string? name = null;
        string? version = null;
        if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("clientInfo", out var client) && client.ValueKind == JsonValueKind.Object)
        {
            name = client.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            version = client.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }

        var capabilities = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("capabilities", out var c) && c.ValueKind == JsonValueKind.Object
            ? c.GetRawText()
            : "{}";
        var negotiated = McpProtocol.Negotiate(initialize.StringParam("protocolVersion"));
        return new McpSessionInfo(negotiated, transport, Truncate(name), Truncate(version), capabilities, owner, null, now);
    }

    /// <summary>The session the request names, when it exists and belongs to the caller; else null (a 404: others' sessions are not revealed).</summary>
    public static async Task<McpSessionInfo?> FindAsync(IGrainFactory grains, string sessionId, HttpContext context)
    {
        if (sessionId.Length is 0 or > 128 || sessionId.Any(ch => ch is < '!' or > '~'))
        {
            return null;
        }

        var info = await grains.ReferenceTo<IMcpSessionGrain>(sessionId).GetAsync();
        // The sessions the layer keeps for 2026-07-28 requests are not the client's to name.
        return info is not null && info.Transport != McpSessionInfo.Stateless && string.Equals(info.Owner, CallerAccess.OwnerOf(context.User), StringComparison.Ordinal) ? info : null;
    }

    private static string Truncate(string? value) => value is null ? string.Empty : value.Length <= 200 ? value : value[..200];
}
