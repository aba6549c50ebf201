using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The <c>tools</c> field of a remote MCP server's registration:
/// <c>{"include":["a","b"],"exclude":["c"],"rename":{"server_name":"shown_name"}}</c>, every part optional, names as
/// the server gives them. Every rule it breaks names the field <c>tools</c>.
/// </summary>
internal sealed partial record McpToolShapingBody : IValidatableObject
{
    public const string Field = "tools";

    private const int MaxNames = 256;

    /// <summary>What MCP 2025-11-25 recommends for tool names.</summary>
    private const string ToolNameRule = "[A-Za-z0-9_.-]{1,128}";

    /// <summary>Only these tools are offered (all when left out).</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>These tools are not offered.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>The server's tool name to the name clients see.</summary>
    public IReadOnlyDictionary<string, string>? Rename { get; init; }

    /// <summary>Parts it does not have, refused by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; } // set, not init: the serializer cannot bind extension data through an initializer

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problem = Unknown?.Keys.FirstOrDefault() is { } part
            ? $"'tools' has no part '{part}'; its parts are 'include', 'exclude' and 'rename'."
            : CheckNames(Include, "include") ?? CheckNames(Exclude, "exclude") ?? CheckRename();
        if (problem is not null)
        {
            yield return new(problem, [Field]);
        }
    }

    public McpToolShaping ToShaping() =>
        new(Include?.ToList(), Exclude?.ToList() ?? [], new Dictionary<string, string>(Rename ?? new Dictionary<string, string>(), StringComparer.Ordinal));

    private static string? CheckNames(IReadOnlyList<string>? names, string part)
    {
        if (names is null)
        {
            return null;
        }

        if (names.Count > MaxNames)
        {
            return $"'tools.{part}' must be an array of at most {MaxNames} tool names.";
        }

        foreach (var name in names)
        {
            if (name is null || !ToolName().IsMatch(name))
            {
                return $"'tools.{part}' holds {JsonSerializer.Serialize(name, GatewayJsonContext.Default.String)}, which is not a tool name ({ToolNameRule}).";
            }
        }

        return null;
    }

    private string? CheckRename()
    {
        if (Rename is null)
        {
            return null;
        }

        if (Rename.Count > MaxNames)
        {
            return $"'tools.rename' may rename at most {MaxNames} tools.";
        }

        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (upstream, name) in Rename)
        {
            if (!ToolName().IsMatch(upstream) || name is null || !ToolName().IsMatch(name))
            {
                return $"'tools.rename' maps '{upstream}' to {JsonSerializer.Serialize(name, GatewayJsonContext.Default.String)}; both must be tool names ({ToolNameRule}).";
            }

            if (!shown.Add(name))
            {
                return $"'tools.rename' gives two tools the name '{name}'.";
            }
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex ToolName();
}
