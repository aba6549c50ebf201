using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// The body of <c>POST /admin/tokens</c>: <c>client_id</c>, <c>ttl</c>, and what the token grants besides its client's
/// stream: <c>scopes</c> (<c>mcp</c>, <c>invoke:*</c>, <c>invoke:{function}</c>, <c>stream</c>) and the older shorthand
/// <c>functions</c> (each name becomes <c>invoke:{name}</c>). Any other field is refused by name: a misspelt grant must
/// not silently issue a weaker (or a different) token than the caller meant.
/// </summary>
internal sealed record TokenRequestBody : IValidatableObject
{
    /// <summary>The token's subject: the client whose stream it opens.</summary>
    public string? ClientId { get; init; }

    /// <summary>How long the token lasts, a Go duration (<c>"1h"</c>); the configured default when left out.</summary>
    [JsonConverter(typeof(GoDurationJsonConverter))]
    public TimeSpan? Ttl { get; init; }

    /// <summary>Function names (or <c>"*"</c>), each granted as <c>invoke:{name}</c>.</summary>
    public IReadOnlyList<string?>? Functions { get; init; }

    /// <summary><c>stream</c>, <c>mcp</c>, <c>invoke:*</c> or <c>invoke:{function}</c>.</summary>
    public IReadOnlyList<string?>? Scopes { get; init; }

    /// <summary>Fields a token request does not have, refused by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; } // set, not init: the serializer cannot bind extension data through an initializer

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Unknown?.Keys.FirstOrDefault() is { } unknown)
        {
            yield return new($"'{unknown}' is not a field of a token request; the fields are client_id, ttl, scopes and functions.", [unknown]);
        }
        else if (ClientId is null || !Names.IsValidClientId(ClientId))
        {
            yield return new($"'client_id' is required and must match {Names.ClientIdRule}.", ["client_id"]);
        }
        else if (Functions is { Count: > TokenRequest.MaxScopes })
        {
            yield return new($"'functions' must be an array of at most {TokenRequest.MaxScopes} function names, or [\"*\"].", ["functions"]);
        }
        else if (FirstRefused(Functions, name => name == "*" || Names.IsValidFunctionName(name)) is { } badName)
        {
            yield return new($"'functions' holds '{badName}', which is neither a function name nor \"*\".", ["functions"]);
        }
        else if (Scopes is { Count: > TokenRequest.MaxScopes })
        {
            yield return new($"'scopes' must be an array of at most {TokenRequest.MaxScopes} scopes.", ["scopes"]);
        }
        else if (FirstRefused(Scopes, IsGrantable) is { } badScope)
        {
            yield return new($"'scopes' holds '{badScope}'; a scope is \"stream\", \"mcp\", \"invoke:*\" or \"invoke:\" followed by a function name.", ["scopes"]);
        }
    }

    /// <summary>The first item <paramref name="accepted"/> refuses (a null item reads as empty text), or null.</summary>
    private static string? FirstRefused(IReadOnlyList<string?>? items, Func<string, bool> accepted) =>
        items?.Select(item => item ?? string.Empty).FirstOrDefault(item => !accepted(item));

    private static bool IsGrantable(string scope) =>
        scope is CallerAccess.StreamScope or CallerAccess.McpScope
        || (scope.StartsWith(CallerAccess.InvokeScopePrefix, StringComparison.Ordinal)
            && scope[CallerAccess.InvokeScopePrefix.Length..] is var function
            && (function == "*" || Names.IsValidFunctionName(function)));
}

/// <summary>A validated token request, with the issuer's lifetime bounds applied.</summary>
/// <param name="ClientId">The token's subject.</param>
/// <param name="Lifetime">How long the token lasts.</param>
/// <param name="Scopes">The scopes granted besides <c>stream</c>, each once, in the order given.</param>
internal sealed record TokenRequest(string ClientId, TimeSpan Lifetime, IReadOnlyList<string> Scopes)
{
    public const int MaxScopes = 256;

    /// <summary>The request, or the 400 naming the field at fault.</summary>
    public static (TokenRequest? Request, ProblemHttpResult? Problem) Read(JsonElement body, TokenIssuer issuer)
    {
        var (request, problem) = JsonBody.Deserialize(body, GatewayJsonContext.Default.TokenRequestBody);
        return problem is not null ? (null, problem) : From(request!, issuer);
    }

    /// <summary>A validated body to a request, or the 400 for a lifetime the issuer does not give.</summary>
    public static (TokenRequest? Request, ProblemHttpResult? Problem) From(TokenRequestBody body, TokenIssuer issuer)
    {
        var lifetime = body.Ttl ?? issuer.DefaultLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > issuer.MaxLifetime)
        {
            return (null, Problems.Invalid("ttl", $"'ttl' must be a duration such as \"1h\", more than 0 and at most {Functions.GoDuration.Format(issuer.MaxLifetime)}."));
        }

        var scopes = (body.Functions ?? []).Select(name => CallerAccess.InvokeScopePrefix + name).Concat(body.Scopes ?? []).OfType<string>()
            .Where(s => s != CallerAccess.StreamScope).Distinct(StringComparer.Ordinal).ToList();
        return scopes.Count > MaxScopes
            ? (null, Problems.Invalid("scopes", $"A token may carry at most {MaxScopes} scopes."))
            : (new TokenRequest(body.ClientId!, lifetime, scopes), null);
    }
}

/// <summary>The 201 answer of <c>POST /admin/tokens</c>.</summary>
/// <param name="Token">The signed token: send it as <c>Authorization: Bearer</c>, or as <c>access_token</c> where a header cannot be set.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ClientId">The token's subject.</param>
/// <param name="Scope">The granted scopes, space-separated.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
internal sealed record TokenIssued(string Token, string TokenType, string ClientId, string Scope, DateTimeOffset ExpiresAt);
