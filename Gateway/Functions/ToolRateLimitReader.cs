using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The <c>tool_rate_limit</c> field of a registration, <c>{"permits":10,"window":"1s"}</c>: how often one caller may
/// call each of its MCP tools. docs/functions.md describes it.
/// </summary>
internal static class ToolRateLimitReader
{
    public const string Field = "tool_rate_limit";

    public const int MaxPermits = 100_000;

    private static readonly TimeSpan MinWindow = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    /// <summary>The limit, null when the field is absent, or the 400 naming the field.</summary>
    public static (ToolRateLimit? Limit, ProblemHttpResult? Problem) Read(JsonElement body)
    {
        if (!body.TryGetProperty(Field, out var limit) || limit.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (limit.ValueKind != JsonValueKind.Object)
        {
            return Fail(Field, "'tool_rate_limit' must be an object: {\"permits\": 10, \"window\": \"1s\"}.");
        }

        foreach (var part in limit.EnumerateObject())
        {
            if (part.Name is not ("permits" or "window"))
            {
                return Fail(Field, $"'tool_rate_limit' has no part '{part.Name}'; its parts are 'permits' and 'window'.");
            }
        }

        if (!limit.TryGetProperty("permits", out var permits) || !permits.TryGetInt32(out var count) || count < 1 || count > MaxPermits)
        {
            return Fail(Field + ".permits", $"'tool_rate_limit.permits' must be an integer from 1 to {MaxPermits}.");
        }

        if (!limit.TryGetProperty("window", out var window) || window.ValueKind != JsonValueKind.String
            || !GoDuration.TryParse(window.GetString()!, out var length) || length < MinWindow || length > MaxWindow)
        {
            return Fail(Field + ".window", $"'tool_rate_limit.window' must be a duration such as \"1s\" or \"1m\", from {GoDuration.Format(MinWindow)} to {GoDuration.Format(MaxWindow)}.");
        }

        return (new ToolRateLimit(count, length), null);
    }

    private static (ToolRateLimit?, ProblemHttpResult?) Fail(string field, string detail) => (null, Problems.Invalid(field, detail));
}
