using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Functions.Calls;
using SseVirtualization.Grains.Functions.Routing;

namespace SseVirtualization.Grains.Hosting;

/// <summary>Registers what the grains need in a silo.</summary>
public static class GrainsHostingExtensions
{
    /// <summary>The grains' trace source and meter name (function calls).</summary>
    public const string TelemetryName = FunctionTelemetry.Name;

    /// <summary>Polly's meter: retries and circuit-breaker transitions of function calls (<c>resilience.polly.*</c>).</summary>
    public const string ResilienceMeterName = "Polly";

    /// <summary>
    /// Adds the options and the HTTP machinery of client and function grains, the broadcast channel client
    /// events travel on, and the binary format grain state is stored in. The silo still configures the <see cref="StorageNames.Grains"/> storage and the stream provider.
    /// </summary>
    public static ISiloBuilder AddSseGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Not awaited: a client grain never waits on the silo holding a socket (one that is failing would hold every
        // event of the client). An event lost on the way is in the client's log, and the connection or the silo's
        // delivery audit fetches it from there.
        builder.AddBroadcastChannel(SseVirtualization.Streams.StreamNames.DeliveryChannel, o => o.FireAndForgetDelivery = true);
        var services = builder.Services;

        // Whichever storage the silo configures (Redis, or memory when embedded) stores grain state in binary.
        services.RemoveAll<IGrainStorageSerializer>();
        services.AddSingleton<IGrainStorageSerializer>(provider => new GrainStateSerializer(
            provider.GetRequiredService<Orleans.Serialization.Serializer>(),
            ActivatorUtilities.CreateInstance<JsonGrainStorageSerializer>(provider)));
        services.AddOptions<FunctionOptions>().BindConfiguration(FunctionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FunctionOptions>, FunctionOptionsValidator>();
        services.AddOptions<ClientOptions>().BindConfiguration(ClientOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientOptions>, ClientOptionsValidator>();
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<ClientOptions>>((collection, clients) =>
            collection.ClassSpecificCollectionAge[typeof(ClientGrain).FullName!] = clients.Value.IdleDeactivation);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FunctionInvoker>();
        services.AddSingleton<FunctionCalls>();
        services.AddSingleton<LocalFunctionCalls>();
        services.AddSingleton<ILocalFunctionCalls>(provider => provider.GetRequiredService<LocalFunctionCalls>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<LocalFunctionCalls>());
        services.AddSingleton<FunctionSecrets>();
        services.AddSingleton<Mcp.McpCatalogNotifier>();
        services.AddOptions<Mcp.McpSessionOptions>(); // filled by the host from the Mcp section's owner (see McpSessionOptions)
        services.AddDataProtection(); // the host chooses where keys live (Redis in a cluster)
        services.AddSingleton<FunctionTelemetry>();
        services.AddHttpClient(FunctionInvoker.HttpClientName)
            .ConfigureHttpClient(client =>
            {
                // Each invocation has its own deadline (the function's timeout), so the client-wide one is off.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var functions = provider.GetRequiredService<IOptions<FunctionOptions>>().Value;
                return new SocketsHttpHandler
                {
                    // Every connection goes through the egress policy; no proxy may stand in for the real address,
                    // and a redirect is the function's answer, not an instruction to call elsewhere.
                    ConnectCallback = (context, cancellationToken) => EgressConnector.ConnectAsync(context, functions, cancellationToken),
                    UseProxy = false,
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    EnableMultipleHttp2Connections = true,
                };
            })
            // Retries and breakers are per function (the function grain's router), not per client.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The factory's request logging (two handlers and a log scope on every call, at Information) says less than
            // our own events for function calls (FunctionInvoker, LocalFunctionCalls), at a few percent of a call's CPU.
            .RemoveAllLoggers();
        return builder;
    }
}
