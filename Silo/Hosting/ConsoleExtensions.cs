using Microsoft.Extensions.FileProviders;

namespace SseVirtualization.Silo.Hosting;

/// <summary>Serves the web console (plain HTML/CSS/JS from <c>console/</c> next to the binary) at <c>/</c>.</summary>
internal static class ConsoleExtensions
{
    /// <summary>
    /// The console's own files only (scripts, styles, fetch and EventSource to this origin), and never in a frame: a
    /// page elsewhere that framed it could steer a user's clicks (Delete, Register) with the authority the console has
    /// (loopback in the keyless default, the admin session cookie otherwise).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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
            OnPrepareResponse = context =>
            {
                // Static files answer before the gateway's header middleware runs, so they carry their own.
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        return app;
    }
}
