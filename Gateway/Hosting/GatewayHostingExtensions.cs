using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Admin;
using SseVirtualization.Gateway.Connections;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Invocation;
using SseVirtualization.Gateway.Mcp;
using SseVirtualization.Gateway.Observability;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Streams;

namespace SseVirtualization.Gateway.Hosting;

/// <summary>The front end's two entry points: <see cref="AddSseGateway"/> and <see cref="MapSseGateway"/>.</summary>
public static class GatewayHostingExtensions
{
    private const string StreamCorsPolicy = "browser";
    private const string ApiCorsPolicy = "api";

    /// <summary>Trace sources of the front end and the grains' function calls, for tracing setup.</summary>
    public static readonly string[] ActivitySources = [GatewayTelemetry.SourceName];

    /// <summary>Meters of the front end.</summary>
    public static readonly string[] Meters = [GatewayCounters.MeterName];

    /// <summary>
    /// Adds the HTTP front end to a host that also runs an Orleans silo (it holds SSE sockets for the silo it
    /// lives in and receives their events through that silo's delivery channel).
    /// </summary>
    public static IHostApplicationBuilder AddSseGateway(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddOptions<FunctionLimits>(); // filled by the host from the Functions section's owner (see FunctionLimits)

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClusterStorageProbe, InMemoryStorageProbe>();
        services.AddSingleton<GatewayCounters>();
        services.AddSingleton<LocalConnections>();
        services.AddSingleton(provider => new QueueByteBudget(
            provider.GetRequiredService<IOptions<GatewayOptions>>(), provider.GetRequiredService<GatewayCounters>()));
        services.AddSingleton<SiloIdentity>();
        services.AddSingleton<ILocalDelivery, LocalDelivery>();
        services.AddSingleton<ClusterView>();
        services.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<DeliveryAuditor>();
        services.AddSingleton<Draining>();

        services.AddGatewaySecurity();
        services.AddMcpEndpoints();
        services.AddGatewayHealthChecks();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Wire));
        services.AddOpenApi(openApi => openApi.DescribeSecurity().DescribeProblems().DescribeWireForms()); // /openapi/v1.json
        services.AddProblemDetails();
        services.AddExceptionHandler<GatewayExceptionHandler>();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<SecurityOptions>>((cors, security) =>
            {
                var origins = security.Value.AllowedOrigins;
                cors.AddPolicy(StreamCorsPolicy, policy =>
                {
                    if (origins.Count == 0)
                    {
                        policy.AllowAnyOrigin(); // no credentials: a page elsewhere cannot ride a browser's cookie
                    }
                    else
                    {
                        policy.WithOrigins([.. origins]).AllowCredentials();
                    }

                    policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("X-Request-ID", "Retry-After");
                });

                // Admin and invocations act: never for any origin, only for the ones an operator lists. Unlisted, a page
                // elsewhere cannot read an answer, and its JSON request needs a preflight that fails.
                cors.AddPolicy(ApiCorsPolicy, policy => policy
                    .WithOrigins([.. origins])
                    .AllowCredentials()
                    .AllowAnyHeader()
                    .AllowAnyMethod()
                    .WithExposedHeaders("X-Request-ID", "Retry-After"));
            });
        return builder;
    }

    /// <summary>Maps <c>/sse</c>, <c>/invoke</c> and <c>/admin</c>, with problem+json errors and browser CORS.</summary>
    public static WebApplication MapSseGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // First, so everything after it (limits, stream caps, access) sees the client a trusted proxy forwarded.
        app.UseTrustedProxies();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseGatewaySecurity();

        SseEndpoint.Map(app.MapGroup(string.Empty).RequireCors(StreamCorsPolicy));
        var api = app.MapGroup(string.Empty).RequireCors(ApiCorsPolicy);
        api.MapInvoke();
        api.MapStreamQuery();
        app.MapMcp();
        var admin = api.MapGroup("/admin")
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<CallerAccess>().ForAdmin(context.HttpContext) is { } refused
                ? ValueTask.FromResult<object?>(refused)
                : next(context));
        admin.MapTokens();
        admin.MapAdminSession();
        admin.MapFunctionAdmin();
        admin.MapConnectionsAdmin();
        admin.MapHealthAdmin();
        app.MapGatewayHealthChecks();
        app.MapOpenApi();

        // Open streams would hold shutdown until they time out; end them so clients reconnect elsewhere at once.
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<Draining>().Begin);
        return app;
    }
}
