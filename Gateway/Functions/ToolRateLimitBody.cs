using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The <c>tool_rate_limit</c> field of a registration, <c>{"permits":10,"window":"1s"}</c>: how often one caller may
/// call each of its MCP tools. docs/functions.md describes it.
/// </summary>
internal sealed record ToolRateLimitBody : IValidatableObject
{
    public const string Field = "tool_rate_limit";

    public const int MaxPermits = 100_000;

    private static readonly TimeSpan MinWindow = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    /// <summary>Calls allowed per window, 1 to 100000.</summary>
    public int? Permits { get; init; }

    /// <summary>The window, a Go duration from 100ms to 24h.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? Window { get; init; }

    /// <summary>Parts it does not have, refused by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; } // set, not init: the serializer cannot bind extension data through an initializer

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Unknown?.Keys.FirstOrDefault() is { } part)
        {
            // No member: the answer names the whole field.
            yield return new($"'tool_rate_limit' has no part '{part}'; its parts are 'permits' and 'window'.", [string.Empty]);
        }
        else if (Permits is not (>= 1 and <= MaxPermits))
        {
            yield return new($"'tool_rate_limit.permits' must be an integer from 1 to {MaxPermits}.", ["permits"]);
        }
        else if (Window is not { } window || window < MinWindow || window > MaxWindow)
        {
            yield return new($"'tool_rate_limit.window' must be a duration such as \"1s\" or \"1m\", from {GoDuration.Format(MinWindow)} to {GoDuration.Format(MaxWindow)}.", ["window"]);
        }
    }

    public ToolRateLimit ToLimit() => new(Permits!.Value, Window!.Value);
}
