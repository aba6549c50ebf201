using SseVirtualization.Silo.Hosting;

namespace SseVirtualization.Silo.Samples;

/// <summary>
/// Sample functions served by the silo itself (<c>/samples/…</c>), so that the quick start's first invocation succeeds
/// with nothing else installed. On by default only in the embedded mode (no Redis); <c>Samples:Enabled</c> decides.
/// </summary>
/// <remarks>
/// The function grain calls them over HTTP like any function, so they answer without a key or token: they keep no
/// state, read at most <see cref="SampleInput.MaxBodyBytes"/> and stream at most <see cref="WordStreamSample.MaxWords"/>
/// words. <c>/samples/replica/…</c> serves the same samples under a second address, to try a function with two endpoints.
/// </remarks>
internal static partial class SampleFunctionsExtensions
{
    /// <summary>Setting that turns the samples on or off (the embedded default turns them on).</summary>
    public const string EnabledKey = "Samples:Enabled";

    private const string LogCategory = "SseVirtualization.Silo.Samples";

    public static WebApplication MapSampleFunctions(this WebApplication app)
    {
        // On by default only in the embedded mode (no Redis); a configured value wins either way.
        var embedded = !app.Services.GetRequiredService<StorageModeAnnouncement>().UsesRedis;
        if (!(app.Configuration.GetValue<bool?>(EnabledKey) ?? embedded))
        {
            return app;
        }

        foreach (var prefix in new[] { "/samples", "/samples/replica" })
        {
            var samples = app.MapGroup(prefix).ExcludeFromDescription();
            samples.MapPost(TextProcessorSample.Name, TextProcessorSample.HandleAsync);
            samples.MapPost(WordStreamSample.Name, WordStreamSample.HandleAsync);
            foreach (var name in new[] { TextProcessorSample.Name, WordStreamSample.Name })
            {
                // What a function's health check asks by default ("health" below the endpoint).
                samples.MapGet(name + "/health", () => TypedResults.Ok(new { status = "ok" }));
            }
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        LogServed(logger);
        return app;
    }
}
