using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>Registers and maps the MCP endpoints (both transports and the protected-resource metadata).</summary>
internal static class McpHostingExtensions
{
    public const string CorsPolicy = "mcp";

    private static readonly string[] BearerMethods = ["header"];

    public static IServiceCollection AddMcpEndpoints(this IServiceCollection services)
    {
        services.AddOptions<McpOptions>().BindConfiguration(McpOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<McpOptions>, McpOptionsValidator>();
        services.AddSingleton<McpRequestGuard>();
        services.AddSingleton<McpToolCatalog>();
        services.AddSingleton<McpPromptsAndResources>();
        services.AddSingleton<McpDispatcher>();
        services.AddSingleton<McpModernRequests>();
        services.AddSingleton<McpIdempotentCalls>();
        services.AddSingleton<McpToolRateLimits>();
        services.AddSingleton<McpModernTasks>();
        services.AddSingleton<McpModernListen>();
        services.AddSingleton<McpCatalogListener>();
        services.AddSingleton<IMcpWatches, McpSessionWatches>();
        services.AddSingleton<McpLocalStreams>();
        services.AddHostedService<McpWatchSweeper>();
        // Registered after Orleans, so stopped before it: the work it waits for still reaches the cluster.
        services.AddSingleton<DetachedWork>();
        services.AddHostedService(provider => provider.GetRequiredService<DetachedWork>());
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<McpRequestGuard>((cors, guard) => cors.AddPolicy(CorsPolicy, policy => policy
                // Browser MCP clients (the Inspector) may call from the origins the guard accepts, and must read the session id.
                .SetIsOriginAllowed(origin => guard.OriginAllowed(origin))
                .AllowAnyHeader()
                .AllowAnyMethod()
                .WithExposedHeaders("Mcp-Session-Id", "WWW-Authenticate")));
        return services;
    }

    public static void MapMcp(this IEndpointRouteBuilder routes)
    {
        // DNS-rebinding guard and caller checks before any MCP handler runs, on both transports.
        var mcp = routes.MapGroup(string.Empty).RequireCors(CorsPolicy).AddEndpointFilter((context, next) =>
        {
            var http = context.HttpContext;
            return McpStreamableEndpoints.Refusal(http, http.RequestServices.GetRequiredService<McpRequestGuard>(), http.RequestServices.GetRequiredService<CallerAccess>()) is { } refused
                ? ValueTask.FromResult<object?>(refused)
                : next(context);
        });
        mcp.MapMcpStreamable();
        mcp.MapMcpLegacy();
        routes.MapGet("/.well-known/oauth-protected-resource/mcp", ProtectedResourceMetadata);
        routes.MapGet("/.well-known/oauth-protected-resource", ProtectedResourceMetadata);
    }

    /// <summary>RFC 9728: where MCP clients learn which authorization server issues tokens for <c>/mcp</c>.</summary>
    private static IResult ProtectedResourceMetadata(HttpContext context, IOptionsMonitor<SecurityOptions> security, McpRequestGuard guard)
    {
        var request = context.Request;

        // The resource URL is built from Host: only from a name MCP serves under, never one a request made up.
        if (guard.Refusal(request) is { } refusal)
        {
            return TypedResults.Problem(detail: refusal, statusCode: StatusCodes.Status403Forbidden, title: "Not allowed");
        }

        var tokens = security.CurrentValue.Tokens;
        var servers = new List<string>();
        if (!string.IsNullOrEmpty(tokens.Authority))
        {
            servers.Add(tokens.Authority);
        }
        else if (!string.IsNullOrEmpty(tokens.Issuer))
        {
            servers.Add(tokens.Issuer);
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["resource"] = $"{request.Scheme}://{request.Host}{request.PathBase}/mcp",
            ["authorization_servers"] = servers,
            ["bearer_methods_supported"] = BearerMethods,
            ["scopes_supported"] = new[] { CallerAccess.McpScope, CallerAccess.InvokeScopePrefix + "*" },
            ["resource_name"] = "SSE Virtualization Layer MCP endpoint",
        });
    }
}
