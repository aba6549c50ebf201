using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Browser pages (the console, the Orleans Dashboard) cannot send <c>X-Api-Key</c>: an admin presents the key
/// once to <c>POST /admin/session</c> and gets an HttpOnly, SameSite=Strict cookie naming that key, protected
/// with Data Protection. The cookie is worth only as much as the key: it ends when the key is removed or rotated.
/// </summary>
internal sealed class AdminSession(IDataProtectionProvider provider, TimeProvider time)
{
    public const string CookieName = "sse_admin";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("SseVirtualization.AdminSession.v1").ToTimeLimitedDataProtector();

    /// <summary>Starts a session for the key <paramref name="key"/> (its name and configured hash, so rotating the key ends it).</summary>
    public void Start(HttpContext context, ApiKeyEntry key)
    {
        var expires = time.GetUtcNow() + Lifetime;
        context.Response.Cookies.Append(CookieName, _protector.Protect(key.Name + "\n" + key.Hash.ToLowerInvariant(), expires), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
        });
    }

    public static void End(HttpContext context) => context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });

    /// <summary>The key (name and hash) the session was started with, or null when the cookie is missing, forged or expired.</summary>
    public (string Name, string Hash)? KeyOf(HttpRequest request)
    {
        if (request.Cookies[CookieName] is not { Length: > 0 } cookie)
        {
            return null;
        }

        try
        {
            var parts = _protector.Unprotect(cookie, out _).Split('\n');
            return parts.Length == 2 ? (parts[0], parts[1]) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
