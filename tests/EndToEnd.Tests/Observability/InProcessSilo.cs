using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Silo.Hosting;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Observability;

/// <summary>
/// A silo composed exactly as <c>Silo/Program.cs</c> composes it, hosted in the test process so that an
/// in-memory exporter can see its spans.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessSilo(WebApplication app, int httpPort)
    {
        _app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
    }

    public Uri BaseAddress { get; }

    /// <summary>The silo's services: its grain factory, its own address.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessSilo> StartAsync(IReadOnlyDictionary<string, string?> environment, ICollection<Activity>? exportSpansTo = null)
    {
        var httpPort = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        // Environment-variable names use "__" where configuration keys use ":".
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(
            environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
        {
            ["PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SILO_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",

            // Spans are recorded only where they can go: OTLP, or (as here) an exporter added in code with a sampler set.
            ["OTEL_TRACES_SAMPLER"] = exportSpansTo is null ? null : "parentbased_always_on",
        });

        builder.AddSiloDefaults();
        builder.AddSseGateway();
        if (exportSpansTo is not null)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exportSpansTo));
        }

        var app = builder.Build();
        app.UseSiloConsole();
        app.MapSseGateway();
        app.MapSiloObservability();
        await app.StartAsync();
        return new InProcessSilo(app, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
