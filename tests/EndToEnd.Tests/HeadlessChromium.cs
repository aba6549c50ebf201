using Microsoft.Playwright;

namespace SseVirtualization.EndToEnd.Tests;

/// <summary>Debian's Chromium (installed by the test script), headless, as the browser tests drive it.</summary>
internal static class HeadlessChromium
{
    private static readonly string[] Flags =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, params string[] extraFlags) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Find(),
            Headless = true,
            Args = [.. Flags, .. extraFlags],
        });

    private static string Find()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("chromium is not installed: run the test script (scripts/test.sh), which installs it.");
    }
}
