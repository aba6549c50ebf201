using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using Orleans.Dashboard;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Grains.Hosting;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Traces, metrics and logs the way any .NET service has them: OpenTelemetry (OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, Prometheus at <c>/metrics</c>), JSON console logs with trace ids
/// in production, the Orleans Dashboard at <c>/dashboard</c>.
/// </summary>
internal static class ObservabilityExtensions
{
    /// <summary>Orleans' application-grain calls; its runtime source (stream polling, timers) is left out on purpose.</summary>
    private const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    private const string OrleansMeter = "Microsoft.Orleans";

    private const string PollyPipelineDuration = "resilience.polly.pipeline.duration";

    /// <summary>
    /// Series kept per instrument of Orleans' and the runtime's meters. The SDK sizes each instrument's table for its limit
    /// up front, and Orleans alone has well over a hundred instruments whose tags (grain type, queue, storage state) take
    /// tens of values: at the default of 2,000 these two meters cost every silo ~30 MiB of resident memory (266 → 235 MiB
    /// with no stream open). Series beyond the limit are summed into one tagged <c>otel.metric.overflow</c>. Our own
    /// meters, Polly's, ASP.NET Core's and HttpClient's keep the default: they are tagged by function, route or host,
    /// which users add.
    /// </summary>
    internal const int FrameworkMetricSeriesLimit = 200;

    public static WebApplicationBuilder AddSiloObservability(this WebApplicationBuilder builder)
    {
        ConfigureLogging(builder);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var samplerConfigured = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("sse-virtualization-silo"))
            .WithTracing(tracing =>
            {
                tracing.AddSource([.. GatewayHostingExtensions.ActivitySources, GrainsHostingExtensions.TelemetryName, OrleansApplicationSource])
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path))
                    .AddHttpClientInstrumentation();
                if (!otlp && !samplerConfigured)
                {
                    // With nowhere to send spans, only a trace its caller samples is recorded (so its sampling flag reaches the
                    // function), not every request and every hour-long /sse request with its tags. Unrecorded traces are still
                    // made and carried on, so logs carry trace ids and functions get the caller's trace
                    // (TraceContextGrainCallFilter carries it across grain calls).
                    tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. GatewayHostingExtensions.Meters, GrainsHostingExtensions.TelemetryName, GrainsHostingExtensions.ResilienceMeterName, OrleansMeter])
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter()
                    .AddView(instrument => instrument switch
                    {
                        { Meter.Name: OrleansMeter or "System.Runtime" } => new MetricStreamConfiguration { CardinalityLimit = FrameworkMetricSeriesLimit },
                        // Polly's time per pipeline run is a function call's time, which sse.function.invocation.duration
                        // already has, recorded twice per call (the retry and the breaker pipelines). Dropped, Polly does
                        // not measure it at all.
                        { Meter.Name: GrainsHostingExtensions.ResilienceMeterName, Name: PollyPipelineDuration } => MetricStreamConfiguration.Drop,
                        _ => null,
                    });
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return builder;
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus) and <c>/dashboard</c> (Orleans Dashboard).</summary>
    public static WebApplication MapSiloObservability(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOrleansDashboard(routePrefix: "/dashboard").ExcludeFromDescription();
        return app;
    }

    private static bool IsScrapeOrProbe(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments("/dashboard");

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        // The console, less Orleans' known false alarms (a watchdog race at start-up, stream reads an agent cancels itself).
        var console = builder.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        builder.Services.Remove(console);
        builder.Services.AddSingleton<ILoggerProvider>(services => new KnownFalseAlarmsFilter(new ConsoleLoggerProvider(
            services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ConsoleLoggerOptions>>(),
            services.GetServices<ConsoleFormatter>())));
    }
}
