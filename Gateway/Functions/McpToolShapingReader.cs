using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The <c>tools</c> field of a remote MCP server's registration:
/// <c>{"include":["a","b"],"exclude":["c"],"rename":{"server_name":"shown_name"}}</c>, every part optional, names as
/// the server gives them. docs/functions.md describes it.
/// </summary>
internal static partial class McpToolShapingReader
{
    public const string Field = "tools";

    private const int MaxNames = 256;

    /// <summary>What MCP 2025-11-25 recommends for tool names.</summary>
    private const string ToolNameRule = "[A-Za-z0-9_.-]{1,128}";

    /// <summary>The shaping, null when the field is absent, or the 400 naming <c>tools</c>.</summary>
    public static (McpToolShaping? Shaping, ProblemHttpResult? Problem) Read(JsonElement body, string kind)
    {
        if (!body.TryGetProperty(Field, out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (kind != FunctionDefinition.McpKind)
        {
            return Fail("'tools' shapes the tools of a remote MCP server (\"kind\": \"mcp\"); an HTTP function is one tool, described by 'input_schema'.");
        }

        if (tools.ValueKind != JsonValueKind.Object)
        {
            return Fail("'tools' must be an object with any of 'include', 'exclude' (arrays of tool names) and 'rename' (an object of tool name to shown name).");
        }

        List<string>? include = null;
        var exclude = new List<string>();
        var rename = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in tools.EnumerateObject())
        {
            var problem = part.Name switch
            {
                "include" => ReadNames(part.Value, "include", include = []),
                "exclude" => ReadNames(part.Value, "exclude", exclude),
                "rename" => ReadRename(part.Value, rename),
                _ => $"'tools' has no part '{part.Name}'; its parts are 'include', 'exclude' and 'rename'.",
            };
            if (problem is not null)
            {
                return Fail(problem);
            }
        }

        return (new McpToolShaping(include, exclude, rename), null);
    }

    private static string? ReadNames(JsonElement names, string part, List<string> into)
    {
        if (names.ValueKind != JsonValueKind.Array || names.GetArrayLength() > MaxNames)
        {
            return $"'tools.{part}' must be an array of at most {MaxNames} tool names.";
        }

        foreach (var name in names.EnumerateArray())
        {
            if (name.ValueKind != JsonValueKind.String || !IsToolName(name.GetString()!))
            {
                return $"'tools.{part}' holds {name.GetRawText()}, which is not a tool name ({ToolNameRule}).";
            }

            into.Add(name.GetString()!);
        }

        return null;
    }

    private static string? ReadRename(JsonElement renames, Dictionary<string, string> into)
    {
        if (renames.ValueKind != JsonValueKind.Object)
        {
            return "'tools.rename' must be an object of the server's tool name to the name clients see.";
        }

        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in renames.EnumerateObject())
        {
            if (into.Count >= MaxNames)
            {
                return $"'tools.rename' may rename at most {MaxNames} tools.";
            }

            if (!IsToolName(pair.Name) || pair.Value.ValueKind != JsonValueKind.String || !IsToolName(pair.Value.GetString()!))
            {
                return $"'tools.rename' maps '{pair.Name}' to {pair.Value.GetRawText()}; both must be tool names ({ToolNameRule}).";
            }

            if (!shown.Add(pair.Value.GetString()!))
            {
                return $"'tools.rename' gives two tools the name '{pair.Value.GetString()}'.";
            }

            into[pair.Name] = pair.Value.GetString()!;
        }

        return null;
    }

    private static bool IsToolName(string name) => ToolName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex ToolName();

    private static (McpToolShaping?, ProblemHttpResult?) Fail(string detail) => (null, Problems.Invalid(Field, detail));
}
