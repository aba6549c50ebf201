using Microsoft.Playwright;
using SseVirtualization.TestInfrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>
/// Debian's Chromium, headless, opening the console the way a user would, at a desktop or a phone width; it records
/// every error the page logs or throws, so a test can insist there were none.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const int Desktop = 1280;
    public const int Phone = 390;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    /// <summary>Errors the pages logged or threw.</summary>
    public List<string> Errors { get; } = [];

    /// <param name="flags">Further Chromium flags, e.g. <c>--host-resolver-rules</c> to reach a silo under another name.</param>
    public static async Task<ConsoleBrowser> LaunchAsync(params string[] flags)
    {
        // The console samples every 3 s and health checks take a few rounds: wait on conditions generously.
        SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        return new ConsoleBrowser(playwright, await HeadlessChromium.LaunchAsync(playwright, flags));
    }

    /// <summary>Opens the console of <paramref name="silo"/> in a fresh context (no cookies) at <paramref name="width"/> pixels.</summary>
    public async Task<IPage> OpenAsync(Uri silo, int width)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 900 },
            IsMobile = width < 600,
            HasTouch = width < 600,
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            // A refused request (the 401 that opens the key prompt) is logged by Chromium itself, not by the page.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => Errors.Add(error);
        await page.GotoAsync(silo.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "SSE Virtualization Layer" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Where a screenshot goes: .artifacts/screenshots (docs/ holds the copies the README shows).</summary>
    public static string ScreenshotPath(string file)
    {
        var directory = Path.Combine(RepositoryPaths.Root, ".artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, file);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
