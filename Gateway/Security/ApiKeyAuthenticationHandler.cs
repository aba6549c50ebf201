using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Authenticates <c>X-Api-Key</c> against the configured hashes (constant-time). The principal carries the
/// key's name and role; a wrong key fails, a missing one leaves the request anonymous.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptionsMonitor<SecurityOptions> security,
    AdminSession sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string RoleClaim = "sse_role";
    public const string InvalidKeyMessage = "The API key is not valid.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[HeaderName].FirstOrDefault();
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(FromSession());
        }

        var hash = ApiKeyHash.Of(presented);
        ApiKeyEntry? match = null;
        foreach (var entry in security.CurrentValue.ApiKeys)
        {
            // Every entry is compared, so the time taken says nothing about which one matched.
            if (ApiKeyHash.Parse(entry.Hash) is { } expected && CryptographicOperations.FixedTimeEquals(expected, hash))
            {
                match = entry;
            }
        }

        if (match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail(InvalidKeyMessage));
        }

        return Task.FromResult(Success(match));
    }

    /// <summary>A browser's admin session: valid while the key it was started with is still configured.</summary>
    private AuthenticateResult FromSession()
    {
        if (sessions.KeyOf(Request) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        var entry = security.CurrentValue.ApiKeys.FirstOrDefault(k =>
            k.Name == key.Name && k.Role == ApiKeyRoles.Admin && string.Equals(k.Hash, key.Hash, StringComparison.OrdinalIgnoreCase));
        return entry is null ? AuthenticateResult.Fail("The admin session's key is no longer configured.") : Success(entry);
    }

    private static AuthenticateResult Success(ApiKeyEntry entry)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, entry.Name), new Claim(RoleClaim, entry.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
