using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// Authentication of the front end: <c>X-Api-Key</c> (hashed keys) or a JWT (ASP.NET Core's JWT bearer
/// handler) from <c>Authorization</c>, the <c>access_token</c> query parameter or the token cookie. What each
/// caller may do is decided by <see cref="CallerAccess"/>.
/// </summary>
internal static class SecurityHostingExtensions
{
    private const string SelectorScheme = "sse";

    /// <summary>The query parameter a browser's EventSource sends its token in (it cannot set headers); never metadata.</summary>
    internal const string AccessTokenQuery = "access_token";

    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<CallerAccess>();
        services.AddSingleton<CrossSiteGuard>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<AdminSession>();
        services.AddHostedService<SecurityAnnouncer>();
        services.AddAbuseLimits();

        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or token", policy => policy.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { })
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<SecurityOptions>>((jwt, security) => ConfigureJwt(jwt, security.Value.Tokens));
        return services;
    }

    public static WebApplication UseGatewaySecurity(this WebApplication app)
    {
        // A request that presents no credential cannot authenticate, so it skips the handlers: a request keeps them, and
        // the middleware waiting on it, for its whole life (~1 KB of every anonymous SSE stream).
        // WebApplication adds its own UseAuthentication in front of everything unless it sees this key, which a branch
        // cannot set for it (a branch writes to a copy of the properties). Were the key renamed, requests would only be
        // authenticated twice, from the cache of the first time.
        // The supported way was measured and costs more (issue 25, item 4): app.UseAuthentication() where WebApplication
        // sees it, with no default scheme and this branch authenticating with the selector scheme, keeps per anonymous
        // SSE stream the middleware's async state (168 B), its AuthenticationFeature (32 B), the request scope's
        // IAuthenticationHandlerProvider (32 B) with its handler map (80 B) and the scope's service cache (144 + 24 B):
        // 1,200,024 B more over 2,500 held streams in a gcdump, 0.47 KiB per stream (load tool, connections --silos 1
        // --clients 5000 --hold 15; RSS figures, 6.4-8.4 KiB against 7.4-17.5 KiB per stream, are too noisy to show it).
        // WebApplication adds its middleware when IAuthenticationSchemeProvider is registered and the key is unset,
        // so every supported way runs AuthenticationMiddleware for every request.
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
        app.UseWhen(PresentsCredentials, authenticating =>
        {
            authenticating.UseAuthentication();

            // The authentication middleware keeps only successes; keep why presented credentials failed, so a 401 can
            // say "expired" or "wrong audience" (the handlers cache their result, so this does not validate twice).
            authenticating.Use(async (context, next) =>
            {
                if (context.User.Identity?.IsAuthenticated != true
                    && await context.AuthenticateAsync() is { Failure: { } failure })
                {
                    context.Features.Set(new AuthenticationFailure(failure));
                }

                await next(context);
            });
        });

        // Ambient authority (loopback in the keyless mode, cookies) serves only this gateway's own pages. Before the rate
        // limiter, so a hostile page's refused requests do not spend the developer's own permits.
        app.UseWhen(
            context => CrossSiteGuard.Guards(context.Request.Path),
            guarded => guarded.Use(async (context, next) =>
            {
                if (context.RequestServices.GetRequiredService<CrossSiteGuard>().Refusal(context) is { } refused)
                {
                    await refused.ExecuteAsync(context);
                    return;
                }

                await next(context);
            }));

        app.UseRateLimiter();

        // The Orleans Dashboard and the Prometheus scrape show the cluster's insides (function names, endpoint
        // hosts): admins only, like /admin.
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/dashboard") || context.Request.Path.StartsWithSegments("/metrics"),
            dashboard => dashboard.Use(async (context, next) =>
            {
                if (context.RequestServices.GetRequiredService<CallerAccess>().ForAdmin(context) is { } refused)
                {
                    await refused.ExecuteAsync(context);
                    return;
                }

                await next(context);
            }));
        app.Use((context, next) =>
        {
            // Answers are data, never pages to sniff, frame or leak referrers from.
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return next(context);
        });
        return app;
    }

    /// <summary>An API key header wins; then any token (header, query, cookie); then the admin session cookie.</summary>
    private static string SelectScheme(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        return !PresentsToken(context) && context.Request.Cookies.ContainsKey(AdminSession.CookieName)
            ? ApiKeyAuthenticationHandler.SchemeName
            : JwtBearerDefaults.AuthenticationScheme;
    }

    /// <summary>Whether the request carries anything a scheme of <see cref="SelectScheme"/> could authenticate.</summary>
    /// <remarks>
    /// Reads the cookies or the query only when there are some: reading them makes objects an SSE stream would keep for
    /// its whole life.
    /// </remarks>
    private static bool PresentsCredentials(HttpContext context)
    {
        var request = context.Request;
        return request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
            || PresentsToken(context)
            || request.Headers.Cookie.Count > 0 && request.Cookies.ContainsKey(AdminSession.CookieName);
    }

    private static bool PresentsToken(HttpContext context)
    {
        var request = context.Request;
        var tokens = context.RequestServices.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue.Tokens;
        return !string.IsNullOrEmpty(request.Headers.Authorization)
            || request.QueryString.HasValue && request.Query.ContainsKey(AccessTokenQuery)
            || request.Headers.Cookie.Count > 0 && request.Cookies.ContainsKey(tokens.CookieName);
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, TokenSettings tokens)
    {
        jwt.MapInboundClaims = false; // keep "sub", "scope" and "exp" as issued
        var parameters = jwt.TokenValidationParameters;
        parameters.ValidIssuer = tokens.Issuer;
        parameters.ValidAudience = tokens.Audience;
        parameters.NameClaimType = "sub";
        parameters.ClockSkew = TimeSpan.FromSeconds(30);
        if (tokens.CanIssue && TokenKeys.TryDecode(tokens.SigningKey!, out var key))
        {
            parameters.IssuerSigningKey = new SymmetricSecurityKey(key);
        }

        if (!string.IsNullOrEmpty(tokens.Authority))
        {
            // The identity provider's JWKS (from its discovery document) validates its tokens too.
            jwt.Authority = tokens.Authority;
            jwt.RequireHttpsMetadata = !IsLoopback(tokens.Authority);
            parameters.ValidIssuers = [tokens.Issuer, tokens.Authority.TrimEnd('/')];
        }

        jwt.Events = new JwtBearerEvents
        {
            // EventSource cannot set headers: a browser sends its token as ?access_token= or in a cookie. Only
            // for GETs (opening a stream): a cookie that authenticated POSTs would let other sites invoke functions.
            // The cookie only opens streams (/sse): a GET of /mcp/stream runs a function, and a cookie is sent for
            // any page that links to it.
            OnMessageReceived = context =>
            {
                if (string.IsNullOrEmpty(context.Request.Headers.Authorization) && HttpMethods.IsGet(context.Request.Method))
                {
                    var request = context.Request;
                    context.Token = (request.QueryString.HasValue ? request.Query[AccessTokenQuery].FirstOrDefault() : null)
                        ?? (request.Path.StartsWithSegments("/sse") ? request.Cookies[tokens.CookieName] : null);
                }

                return Task.CompletedTask;
            },

            // RFC 7515 4.1.11: a token whose "crit" header names extensions must be refused by a recipient that does not
            // understand them, and we understand none.
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is Microsoft.IdentityModel.JsonWebTokens.JsonWebToken token
                    && token.TryGetHeaderValue<object>("crit", out _))
                {
                    context.Fail(new SecurityTokenException("The token has a \"crit\" header with extensions this server does not understand."));
                }

                return Task.CompletedTask;
            },
        };
    }

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "127.0.0.1");
}
