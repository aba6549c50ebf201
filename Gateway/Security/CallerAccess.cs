using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Who may do what, decided in one place: admin needs an admin key; invoking needs a key, or a token scoped to
/// the function and acting only for its own client id; a stream needs a token for its client id when tokens are
/// required. With no API keys configured, admin and invoke answer only on loopback.
/// </summary>
internal sealed class CallerAccess(IOptionsMonitor<SecurityOptions> options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public const string ScopeClaim = "scope";
    public const string StreamScope = "stream";
    public const string InvokeScopePrefix = "invoke:";
    public const string McpScope = "mcp";

    /// <summary>Null when the caller may use <c>/admin</c>, else the 401/403 to answer.</summary>
    public IResult? ForAdmin(HttpContext context)
    {
        var user = context.User;
        if (RoleOf(user) is { } role)
        {
            return role == ApiKeyRoles.Admin ? null : Forbidden("This API key may invoke functions but not administer.");
        }

        if (IsBearer(user))
        {
            return Forbidden("Tokens do not grant admin access; use an admin API key.");
        }

        return Anonymous(context, "an admin API key");
    }

    /// <summary>Null when the caller may invoke <paramref name="function"/> for <paramref name="clientId"/>.</summary>
    public IResult? ForInvoke(HttpContext context, string function, string? clientId)
    {
        var user = context.User;
        if (RoleOf(user) is not null)
        {
            return null; // admin and service keys act for any client
        }

        if (IsBearer(user))
        {
            if (!Scopes(user).Any(s => s == InvokeScopePrefix + "*" || s == InvokeScopePrefix + function))
            {
                return Forbidden($"The token's scope does not include 'invoke:{function}'.");
            }

            var subject = user.FindFirstValue("sub");
            return clientId is null || string.Equals(clientId, subject, StringComparison.Ordinal)
                ? null
                : Forbidden("A token may only invoke for its own client id; results for other clients need a service key.");
        }

        return Anonymous(context, "an API key or a token scoped to the function");
    }

    /// <summary>
    /// Null when the caller may open <paramref name="clientId"/>'s stream; <paramref name="expiresAt"/> is when the
    /// token that granted it expires (null without one).
    /// </summary>
    public IResult? ForStream(HttpContext context, string clientId, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        if (!options.CurrentValue.ClientTokensRequired)
        {
            return null;
        }

        var user = context.User;
        if (!IsBearer(user))
        {
            return Unauthorized(context, "Opening this stream needs a token for the client id (Authorization: Bearer, the access_token query parameter, or the token cookie).");
        }

        if (!string.Equals(user.FindFirstValue("sub"), clientId, StringComparison.Ordinal))
        {
            return Forbidden("The token grants another client id.");
        }

        if (long.TryParse(user.FindFirstValue("exp"), NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
        {
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);

            // Validation allows some clock skew between issuer and us; a stream would end at once, so never open one.
            if (expiresAt <= _time.GetUtcNow())
            {
                return Unauthorized(context, "The token has expired; opening this stream needs a fresh one.");
            }
        }

        return null;
    }

    /// <summary>
    /// Null when the caller may use the MCP endpoints: any API key, or a bearer token with scope <c>mcp</c> (or any
    /// <c>invoke:</c> scope). A 401 points at the protected-resource metadata (RFC 9728) so OAuth clients find
    /// the authorization server.
    /// </summary>
    public IResult? ForMcp(HttpContext context)
    {
        var user = context.User;
        if (RoleOf(user) is not null)
        {
            return null;
        }

        if (IsBearer(user))
        {
            return Scopes(user).Any(s => s == McpScope || s.StartsWith(InvokeScopePrefix, StringComparison.Ordinal))
                ? null
                : Forbidden("The token's scope does not include 'mcp'.");
        }

        var refused = Anonymous(context, "an API key or an OAuth bearer token with scope 'mcp'");
        if (refused is not null && refused.StatusCode != StatusCodes.Status401Unauthorized && options.CurrentValue.Tokens.CanValidate)
        {
            // Tokens configured without API keys: an OAuth client must learn where to get one, not just "forbidden".
            refused = Unauthorized(context, "This needs an OAuth bearer token with scope 'mcp' (Authorization: Bearer).");
        }

        if (refused is { StatusCode: StatusCodes.Status401Unauthorized })
        {
            var request = context.Request;
            context.Response.Headers.WWWAuthenticate =
                $"Bearer resource_metadata=\"{request.Scheme}://{request.Host}{request.PathBase}/.well-known/oauth-protected-resource/mcp\", scope=\"{McpScope}\"";
        }

        return refused;
    }

    /// <summary>Whether the caller may call the tools of <paramref name="source"/> (a function or MCP server registration).</summary>
    public static bool MayCallTool(ClaimsPrincipal user, string source) =>
        RoleOf(user) is not null
        || !IsBearer(user)
        || Scopes(user).Any(s => s == McpScope || s == InvokeScopePrefix + "*" || s == InvokeScopePrefix + source);

    /// <summary>
    /// Whether the caller's work may send results to <paramref name="clientId"/>'s stream: keys may name any client, a
    /// token only its own subject (as for <c>/invoke</c>).
    /// </summary>
    public static bool MayResultGoTo(ClaimsPrincipal user, string clientId) =>
        RoleOf(user) is not null || !IsBearer(user) || string.Equals(user.FindFirstValue("sub"), clientId, StringComparison.Ordinal);

    /// <summary>Who the caller is, for binding an MCP session to them: the API key's name, the token's subject, or empty.</summary>
    public static string OwnerOf(ClaimsPrincipal user) =>
        RoleOf(user) is not null ? "key:" + user.Identity!.Name
        : IsBearer(user) ? "sub:" + (user.FindFirstValue("sub") ?? "(token without subject)")
        : string.Empty;

    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Anonymous(HttpContext context, string needed)
    {
        if (options.CurrentValue.HasApiKeys)
        {
            return Unauthorized(context, $"This needs {needed} (X-Api-Key, or Authorization: Bearer for tokens).");
        }

        return LocalCaller.Is(context)
            ? null
            : Forbidden("No API key is configured, so this answers only on loopback; configure Security:ApiKeys to open it.");
    }

    private static string? RoleOf(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: ApiKeyAuthenticationHandler.SchemeName }
            ? user.FindFirstValue(ApiKeyAuthenticationHandler.RoleClaim)
            : null;

    private static bool IsBearer(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true } identity && identity.AuthenticationType != ApiKeyAuthenticationHandler.SchemeName;

    private static IEnumerable<string> Scopes(ClaimsPrincipal user) =>
        user.FindAll(ScopeClaim).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unauthorized(HttpContext context, string detail)
    {
        // Say why presented credentials failed (expired, wrong audience, bad key) without echoing them.
        var failure = context.Features.Get<AuthenticationFailure>()?.Exception;
        if (failure is not null)
        {
            detail = $"The credentials were refused: {Reason(failure)}. {detail}";
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required");
    }

    private static string Reason(Exception failure) => failure switch
    {
        Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "the token has expired",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException => "the token is for another audience",
        Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException => "the token is from another issuer",
        Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException or Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException => "the token's signature is not valid",
        Microsoft.IdentityModel.Tokens.SecurityTokenException => "the token is not valid",
        _ when failure.Message == ApiKeyAuthenticationHandler.InvalidKeyMessage => "the API key is not valid",
        _ => "the token is not valid",
    };

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Not allowed");
}

/// <summary>Why the credentials a request presented were refused.</summary>
internal sealed record AuthenticationFailure(Exception Exception);
