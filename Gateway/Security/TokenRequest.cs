using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// The body of <c>POST /admin/tokens</c>: <c>client_id</c>, <c>ttl</c>, and what the token grants besides its client's
/// stream: <c>scopes</c> (<c>mcp</c>, <c>invoke:*</c>, <c>invoke:{function}</c>, <c>stream</c>) and the older shorthand
/// <c>functions</c> (each name becomes <c>invoke:{name}</c>). Any other field is refused by name: a misspelt grant must
/// not silently issue a weaker (or a different) token than the caller meant.
/// </summary>
/// <param name="ClientId">The token's subject.</param>
/// <param name="Lifetime">How long the token lasts.</param>
/// <param name="Scopes">The scopes granted besides <c>stream</c>, each once, in the order given.</param>
internal sealed record TokenRequest(string ClientId, TimeSpan Lifetime, IReadOnlyList<string> Scopes)
{
    public const int MaxScopes = 256;

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal) { "client_id", "ttl", "functions", "scopes" };

    /// <summary>The request, or the 400 naming the field at fault.</summary>
    public static (TokenRequest? Request, ProblemHttpResult? Problem) Read(JsonElement body, TokenIssuer issuer)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!Fields.Contains(property.Name))
            {
                return (null, Problems.Invalid(property.Name, $"'{property.Name}' is not a field of a token request; the fields are client_id, ttl, scopes and functions."));
            }
        }

        if (!body.TryGetProperty("client_id", out var clientElement) || clientElement.ValueKind != JsonValueKind.String
            || !Names.IsValidClientId(clientElement.GetString()!))
        {
            return (null, Problems.Invalid("client_id", $"'client_id' is required and must match {Names.ClientIdRule}."));
        }

        var lifetime = issuer.DefaultLifetime;
        if (body.TryGetProperty("ttl", out var ttlElement) && ttlElement.ValueKind != JsonValueKind.Null)
        {
            if (ttlElement.ValueKind != JsonValueKind.String || !GoDuration.TryParse(ttlElement.GetString()!, out lifetime)
                || lifetime <= TimeSpan.Zero || lifetime > issuer.MaxLifetime)
            {
                return (null, Problems.Invalid("ttl", $"'ttl' must be a duration such as \"1h\", more than 0 and at most {GoDuration.Format(issuer.MaxLifetime)}."));
            }
        }

        var scopes = new List<string>();
        var problem = ReadFunctions(body, scopes) ?? ReadScopes(body, scopes);
        if (problem is not null)
        {
            return (null, problem);
        }

        var distinct = scopes.Where(s => s != CallerAccess.StreamScope).Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count > MaxScopes
            ? (null, Problems.Invalid("scopes", $"A token may carry at most {MaxScopes} scopes."))
            : (new TokenRequest(clientElement.GetString()!, lifetime, distinct), null);
    }

    /// <summary><c>functions</c>: function names (or <c>"*"</c>), each granted as <c>invoke:{name}</c>.</summary>
    private static ProblemHttpResult? ReadFunctions(JsonElement body, List<string> scopes)
    {
        if (!body.TryGetProperty("functions", out var functions) || functions.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (functions.ValueKind != JsonValueKind.Array || functions.GetArrayLength() > MaxScopes)
        {
            return Problems.Invalid("functions", $"'functions' must be an array of at most {MaxScopes} function names, or [\"*\"].");
        }

        foreach (var element in functions.EnumerateArray())
        {
            var name = element.ValueKind == JsonValueKind.String ? element.GetString()! : string.Empty;
            if (name != "*" && !Names.IsValidFunctionName(name))
            {
                return Problems.Invalid("functions", $"'functions' holds '{name}', which is neither a function name nor \"*\".");
            }

            scopes.Add(CallerAccess.InvokeScopePrefix + name);
        }

        return null;
    }

    /// <summary><c>scopes</c>: <c>stream</c>, <c>mcp</c>, <c>invoke:*</c> or <c>invoke:{function}</c>, nothing else.</summary>
    private static ProblemHttpResult? ReadScopes(JsonElement body, List<string> scopes)
    {
        if (!body.TryGetProperty("scopes", out var given) || given.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (given.ValueKind != JsonValueKind.Array || given.GetArrayLength() > MaxScopes)
        {
            return Problems.Invalid("scopes", $"'scopes' must be an array of at most {MaxScopes} scopes.");
        }

        foreach (var element in given.EnumerateArray())
        {
            var scope = element.ValueKind == JsonValueKind.String ? element.GetString()! : string.Empty;
            if (!IsGrantable(scope))
            {
                return Problems.Invalid("scopes", $"'scopes' holds '{scope}'; a scope is \"stream\", \"mcp\", \"invoke:*\" or \"invoke:\" followed by a function name.");
            }

            scopes.Add(scope);
        }

        return null;
    }

    private static bool IsGrantable(string scope) =>
        scope is CallerAccess.StreamScope or CallerAccess.McpScope
        || (scope.StartsWith(CallerAccess.InvokeScopePrefix, StringComparison.Ordinal)
            && scope[CallerAccess.InvokeScopePrefix.Length..] is var function
            && (function == "*" || Names.IsValidFunctionName(function)));
}
