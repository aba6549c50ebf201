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
    IOptionsMonitor<SecurityOptions> security)
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
            return Task.FromResult(AuthenticateResult.NoResult());
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

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, match.Name), new Claim(RoleClaim, match.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
