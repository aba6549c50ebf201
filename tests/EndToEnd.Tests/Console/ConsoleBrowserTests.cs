using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SseVirtualization.TestInfrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>The web console in a real browser: Debian's Chromium, headless, driven by Playwright.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ConsoleBrowserTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly List<string> _browserErrors = [];
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task Console_loads_without_errors_and_shows_every_silo()
    {
        var page = await OpenConsoleAsync(cluster.SiloA.BaseAddress, width: 1280);

        await Expect(page.Locator("#silos tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#served-by")).ToContainTextAsync("Served by silo");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ArtifactPath("console-desktop.png"), FullPage = true });
        var phone = await OpenConsoleAsync(cluster.SiloA.BaseAddress, width: 390);
        await Expect(phone.Locator("#silos tr")).ToHaveCountAsync(2);
        await phone.ScreenshotAsync(new PageScreenshotOptions { Path = ArtifactPath("console-phone.png"), FullPage = true });
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task Event_pane_on_silo_A_shows_a_result_invoked_through_silo_B()
    {
        var function = await cluster.RegisterAsync("echo");
        var clientId = "browser-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenConsoleAsync(cluster.SiloA.BaseAddress, width: 1280);

        await page.GetByLabel("Client id", new() { Exact = true }).FillAsync(clientId);
        await page.Locator("#stream-toggle").ClickAsync();
        await Expect(page.Locator("#stream-state")).ToContainTextAsync($"Connected as {clientId}");
        using var invoked = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { from = "silo B" }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var requestId = (await invoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;

        await Expect(page.Locator("#events li.function_response")).ToContainTextAsync(requestId);
        Assert.Empty(_browserErrors);
    }

    [Fact]
    public async Task Registering_a_function_in_the_form_shows_it_in_the_list()
    {
        var name = "from-form-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenConsoleAsync(cluster.SiloB.BaseAddress, width: 1280);

        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Endpoint URL").FillAsync(cluster.Stub.Url("echo").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        await Expect(page.Locator("#register-result")).ToContainTextAsync($"Registered {name}");
        await Expect(page.Locator("#functions")).ToContainTextAsync(name);
        await Expect(page.Locator("#inv-function option", new() { HasText = name })).ToHaveCountAsync(1);
        Assert.Empty(_browserErrors);
    }

    private async Task<IPage> OpenConsoleAsync(Uri silo, int width)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _browserErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _browserErrors.Add(error);
        await page.GotoAsync(silo.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "SSE Virtualization Layer" })).ToBeVisibleAsync();
        return page;
    }

    private static string ArtifactPath(string file)
    {
        var directory = Path.Combine(RepositoryPaths.Root, ".artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, file);
    }
}
