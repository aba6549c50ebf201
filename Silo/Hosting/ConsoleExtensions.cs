using Microsoft.Extensions.FileProviders;

namespace SseVirtualization.Silo.Hosting;

/// <summary>Serves the web console (plain HTML/CSS/JS from <c>console/</c> next to the binary) at <c>/</c>.</summary>
internal static class ConsoleExtensions
{
    public static WebApplication UseSiloConsole(this WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "console");
        if (!Directory.Exists(folder))
        {
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
