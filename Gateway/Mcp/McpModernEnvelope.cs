using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// The per-request envelope of MCP 2026-07-28 (<c>params._meta["io.modelcontextprotocol/…"]</c> and the headers that
/// mirror it), and the spec's refusals when it is wrong. A request that carries the envelope's protocol version is a
/// 2026 request; anything else belongs to the 2025 revisions (sessions), as <c>@modelcontextprotocol/server</c> 2.4.0
/// tells them apart, so a 2025 client's first <c>initialize</c> is never refused.
/// </summary>
internal sealed record McpModernEnvelope(string ProtocolVersion, string ClientCapabilitiesJson, string ClientName, string ClientVersion, string? LogLevel)
{
    public const string Version = "2026-07-28";
    public const string MetaPrefix = "io.modelcontextprotocol/";
    public const string VersionKey = MetaPrefix + "protocolVersion";
    public const string CapabilitiesKey = MetaPrefix + "clientCapabilities";
    public const string ClientInfoKey = MetaPrefix + "clientInfo";
    public const string LogLevelKey = MetaPrefix + "logLevel";
    public const string ServerInfoKey = MetaPrefix + "serverInfo";
    public const string SubscriptionIdKey = MetaPrefix + "subscriptionId";

    public const int HeaderMismatch = -32020;
    public const int UnsupportedVersion = -32022;

    /// <summary>Every revision this server speaks, newest first (what a -32022 lists).</summary>
    public static readonly string[] Supported = [Version, McpProtocol.Latest, "2025-06-18", McpProtocol.Fallback];

    /// <summary>Whether the message claims 2026-07-28 or later (its envelope names a protocol version), or its headers do.</summary>
    public static bool IsModern(McpMessage message, HttpRequest request) =>
        (message.Params.ValueKind == JsonValueKind.Object
            && message.Params.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(VersionKey, out _))
        || string.CompareOrdinal(request.Headers[McpProtocol.VersionHeader].ToString().Trim(), Version) >= 0;

    /// <summary>Reads and checks the envelope against the headers: the envelope, or the answer that refuses the request.</summary>
    public static (McpModernEnvelope? Envelope, IResult? Refusal) Read(McpMessage message, HttpRequest request)
    {
        if (message.Params.ValueKind != JsonValueKind.Object || !message.Params.TryGetProperty("_meta", out var meta) || meta.ValueKind != JsonValueKind.Object
            || !meta.TryGetProperty(VersionKey, out var version) || version.ValueKind != JsonValueKind.String
            || !meta.TryGetProperty(CapabilitiesKey, out var capabilities) || capabilities.ValueKind != JsonValueKind.Object)
        {
            return (null, Refuse(message, StatusCodes.Status400BadRequest, McpProtocol.InvalidParams,
                $"A {Version} request needs params._meta with '{VersionKey}' (a string) and '{CapabilitiesKey}' (an object)."));
        }

        var claimed = version.GetString()!;
        var header = request.Headers[McpProtocol.VersionHeader].ToString().Trim();
        if (header.Length == 0 || header != claimed)
        {
            return (null, Mismatch(message, McpProtocol.VersionHeader, header, claimed));
        }

        if (Array.IndexOf(Supported, claimed) < 0 || string.CompareOrdinal(claimed, Version) < 0)
        {
            return (null, Refuse(message, StatusCodes.Status400BadRequest, UnsupportedVersion, $"Unsupported protocol version: {claimed}",
                new Dictionary<string, object> { ["supported"] = Supported, ["requested"] = claimed }));
        }

        var method = request.Headers["Mcp-Method"].ToString();
        if (method != message.Method)
        {
            return (null, Mismatch(message, "Mcp-Method", method, message.Method!));
        }

        if (NamedBy(message) is { } named && Decode(request.Headers["Mcp-Name"].ToString()) != named)
        {
            return (null, Mismatch(message, "Mcp-Name", request.Headers["Mcp-Name"].ToString(), named));
        }

        string? name = null, clientVersion = null;
        if (meta.TryGetProperty(ClientInfoKey, out var info) && info.ValueKind == JsonValueKind.Object)
        {
            name = info.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            clientVersion = info.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }

        var level = meta.TryGetProperty(LogLevelKey, out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        return (new McpModernEnvelope(claimed, capabilities.GetRawText(), Truncate(name), Truncate(clientVersion), level), null);
    }

    /// <summary>The answer with a JSON-RPC error and the status the spec gives it.</summary>
    public static IResult Refuse(McpMessage message, int status, int code, string text, object? data = null) =>
        Results.Content(McpProtocol.Error(message.IdJson, code, text, data), "application/json", statusCode: status);

    private static IResult Mismatch(McpMessage message, string header, string sent, string body) =>
        Refuse(message, StatusCodes.Status400BadRequest, HeaderMismatch, $"Bad Request: the {header} header ('{(sent.Length == 0 ? "(missing)" : sent)}') does not match the body ('{body}').",
            new Dictionary<string, object> { ["mismatch"] = new Dictionary<string, string> { ["header"] = sent.Length == 0 ? "(missing)" : sent, ["body"] = body } });

    /// <summary>What <c>Mcp-Name</c> must mirror: the tool's or prompt's name, or the resource's URI.</summary>
    private static string? NamedBy(McpMessage message) => message.Method switch
    {
        "tools/call" or "prompts/get" => message.StringParam("name"),
        "resources/read" => message.StringParam("uri"),
        "tasks/get" or "tasks/update" or "tasks/cancel" => message.StringParam("taskId"),
        _ => null,
    };

    /// <summary>Header values that are not plain ASCII travel as <c>=?base64?…?=</c>.</summary>
    private static string Decode(string value)
    {
        if (value.StartsWith("=?base64?", StringComparison.Ordinal) && value.EndsWith("?=", StringComparison.Ordinal))
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(value["=?base64?".Length..^2]));
            }
            catch (FormatException)
            {
                return value;
            }
        }

        return value;
    }

    private static string Truncate(string? value) => value is null ? string.Empty : value.Length <= 200 ? value : value[..200];
}
