using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SseVirtualization.Gateway.Security;

/// <summary>Signs the tokens of <c>POST /admin/tokens</c> with the configured HMAC key (Microsoft.IdentityModel).</summary>
internal sealed class TokenIssuer(IOptionsMonitor<SecurityOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public bool CanIssue => options.CurrentValue.Tokens.CanIssue;

    public TimeSpan MaxLifetime => options.CurrentValue.Tokens.MaxLifetime;

    public TimeSpan DefaultLifetime => options.CurrentValue.Tokens.DefaultLifetime;

    /// <param name="clientId">The token's subject.</param>
    /// <param name="scopes">The scopes granted besides <c>stream</c> (which every token for a client id carries).</param>
    /// <param name="lifetime">How long from now the token is valid.</param>
    public (string Token, DateTimeOffset ExpiresAt, string Scope) Issue(string clientId, IReadOnlyCollection<string> scopes, TimeSpan lifetime)
    {
        var settings = options.CurrentValue.Tokens;
        TokenKeys.TryDecode(settings.SigningKey!, out var key);
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var scope = string.Join(' ', new[] { CallerAccess.StreamScope }.Concat(scopes));
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim(CallerAccess.ScopeClaim, scope)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });

        // exp has whole seconds; report what the token says.
        return (token, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()), scope);
    }
}
