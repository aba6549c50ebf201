using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>Who may administer, invoke and listen (configuration section <c>Security</c>); docs/security.md.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>API keys, stored as hashes only. None configured: admin and invoke answer only on loopback.</summary>
    public List<ApiKeyEntry> ApiKeys { get; } = [];

    /// <summary>Tokens that grant a client id its stream (and functions to invoke for it).</summary>
    public TokenSettings Tokens { get; set; } = new();

    /// <summary>
    /// Whether <c>/sse/{clientId}</c> needs a token for that client id. Unset: on exactly when tokens can be
    /// validated (a signing key or an identity provider is configured).
    /// </summary>
    public bool? RequireClientTokens { get; set; }

    /// <summary>Per-caller rate limits of invocations and connection attempts.</summary>
    public RateLimitSettings RateLimits { get; set; } = new();

    /// <summary>
    /// Origins browsers may call from. Empty: any origin, without credentials (cookies are then not sent
    /// cross-origin). Listed: only those, with credentials.
    /// </summary>
    public List<string> AllowedOrigins { get; } = [];

    /// <summary>Proxies in front of the silo whose forwarded headers name the caller. None: forwarded headers are ignored.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    internal bool HasApiKeys => ApiKeys.Count > 0;

    internal bool ClientTokensRequired => RequireClientTokens ?? Tokens.CanValidate;
}

/// <summary>One API key: a name for logs, the SHA-256 of the key, and what it may do.</summary>
public sealed class ApiKeyEntry
{
    public string Name { get; set; } = string.Empty;

    /// <summary><c>sha256:</c> followed by the key's SHA-256 in hex (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Hash { get; set; } = string.Empty;

    /// <summary><c>admin</c> (everything) or <c>service</c> (invoke for any client, no admin).</summary>
    public string Role { get; set; } = ApiKeyRoles.Service;
}

public static class ApiKeyRoles
{
    public const string Admin = "admin";
    public const string Service = "service";
}

/// <summary>JWT settings: our own HMAC-signed tokens, an integrator's identity provider, or both.</summary>
public sealed class TokenSettings
{
    /// <summary>Base64 HMAC-SHA256 key (at least 32 bytes) for tokens issued by <c>POST /admin/tokens</c>.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "sse-virtualization";

    public string Audience { get; set; } = "sse-virtualization";

    /// <summary>An OpenID Connect authority whose signing keys (JWKS) also validate tokens.</summary>
    public string? Authority { get; set; }

    /// <summary>The longest lifetime <c>POST /admin/tokens</c> grants.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The lifetime of an issued token when the request names none.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Name of the cookie a browser may carry its token in.</summary>
    public string CookieName { get; set; } = "sse_token";

    internal bool CanIssue => !string.IsNullOrEmpty(SigningKey);

    internal bool CanValidate => CanIssue || !string.IsNullOrEmpty(Authority);
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        foreach (var key in options.ApiKeys)
        {
            if (ApiKeyHash.Parse(key.Hash) is null)
            {
                failures.Add($"Security:ApiKeys '{key.Name}': Hash must be 'sha256:' followed by 64 hex digits.");
            }

            if (key.Role is not (ApiKeyRoles.Admin or ApiKeyRoles.Service))
            {
                failures.Add($"Security:ApiKeys '{key.Name}': Role must be 'admin' or 'service'.");
            }
        }

        var tokens = options.Tokens;
        if (tokens.CanIssue && !TokenKeys.TryDecode(tokens.SigningKey!, out _))
        {
            failures.Add("Security:Tokens:SigningKey must be base64 of at least 32 bytes.");
        }

        if (options.RequireClientTokens == true && !tokens.CanValidate)
        {
            failures.Add("Security:RequireClientTokens is on, but neither Security:Tokens:SigningKey nor Security:Tokens:Authority is set.");
        }

        if (tokens.DefaultLifetime <= TimeSpan.Zero || tokens.MaxLifetime < tokens.DefaultLifetime)
        {
            failures.Add("Security:Tokens: DefaultLifetime must be positive and at most MaxLifetime.");
        }

        var forwarded = options.ForwardedHeaders;
        for (var i = 0; i < forwarded.TrustedProxies.Count; i++)
        {
            var entry = forwarded.TrustedProxies[i];
            if (!ForwardedHeadersSettings.TryParse(entry, out _))
            {
                failures.Add($"Security:ForwardedHeaders:TrustedProxies:{i} '{entry}' is not an IP address (10.0.0.5, fd00::5) or a CIDR network with no bits set beyond its prefix (10.0.0.0/8, fd00::/8); host names are not resolved.");
            }
        }

        if (forwarded.ForwardLimit < 1)
        {
            failures.Add("Security:ForwardedHeaders:ForwardLimit must be at least 1 (one per trusted proxy a request passes through).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
