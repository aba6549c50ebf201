using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Grains.Functions;

namespace SseVirtualization.Grains.Hosting;

/// <summary>Registers what the grains need in a silo.</summary>
public static class GrainsHostingExtensions
{
    /// <summary>The grains' trace source and meter name (function calls).</summary>
    public const string TelemetryName = FunctionTelemetry.Name;

    /// <summary>
    /// Adds the options and the HTTP machinery of client and function grains. The silo still configures the
    /// <see cref="StorageNames.Grains"/> storage and the stream provider.
    /// </summary>
    public static ISiloBuilder AddSseGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<FunctionOptions>().BindConfiguration(FunctionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FunctionOptions>, FunctionOptionsValidator>();
        services.AddOptions<ClientOptions>().BindConfiguration(ClientOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientOptions>, ClientOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FunctionHttpInvoker>();
        services.AddSingleton<FunctionTelemetry>();
        services.AddHttpClient(FunctionHttpInvoker.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
            {
                // Each call has its own deadline (the function's timeout), so the client-wide one is off.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = provider.GetRequiredService<IOptions<FunctionOptions>>().Value.MaxResponseBytes;
            });
        return builder;
    }
}
