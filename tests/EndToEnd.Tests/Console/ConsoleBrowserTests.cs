using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SseVirtualization.TestInfrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>The web console in a real browser against the two-silo cluster: Debian's Chromium, headless, driven by Playwright.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed partial class ConsoleBrowserTests(ClusterFixture cluster) : IAsyncLifetime
{
    private const string RemoteName = "console.example";

    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Console_loads_without_errors_and_shows_every_silo()
    {
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);

        await Expect(page.Locator("#silos tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#served-by")).ToContainTextAsync("Served by silo");
        await Expect(page.Locator(".silo-clients")).ToHaveCountAsync(2);
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task A_keyless_silo_reached_under_a_name_that_is_not_loopback_says_why_admin_is_refused_and_offers_the_key_prompt()
    {
        // As a deployment without keys is reached remotely: the console loads, every admin call answers 403.
        await using var browser = await ConsoleBrowser.LaunchAsync($"--host-resolver-rules=MAP {RemoteName} 127.0.0.1");
        var page = await browser.OpenAsync(new Uri($"http://{RemoteName}:{cluster.SiloA.HttpPort}/"), ConsoleBrowser.Desktop);

        var prompt = page.GetByRole(AriaRole.Region, new() { Name = "An admin API key is needed" });
        await Expect(prompt).ToBeVisibleAsync();
        await Expect(prompt).ToContainTextAsync("403");
        await Expect(prompt).ToContainTextAsync("configure Security:ApiKeys");
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData(ConsoleBrowser.Desktop)]
    [InlineData(ConsoleBrowser.Phone)]
    public async Task A_function_registered_with_two_endpoints_and_a_header_shows_its_endpoints_statistics_and_charts(int width)
    {
        var name = "two-ends-" + Guid.NewGuid().ToString("N")[..8];
        var (first, second) = (Unique("first"), Unique("second"));
        var page = await _browser.OpenAsync(cluster.SiloB.BaseAddress, width);

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Endpoint 1 URL").FillAsync(cluster.Stub.Url("ep/" + first).ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add an endpoint" }).ClickAsync();
        await page.GetByLabel("Endpoint 2 URL").FillAsync(cluster.Stub.Url("ep/" + second).ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a header" }).ClickAsync();
        await page.GetByLabel("Header 1 name").FillAsync("X-Console-Secret");
        await page.GetByLabel("Header 1 value").FillAsync("from-the-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();

        await Expect(page.Locator("#function-form-result")).ToContainTextAsync($"Registered {name} with 2 endpoints");
        var card = FunctionCard(page, name);
        await Expect(card.Locator("tr.endpoint")).ToHaveCountAsync(2);
        await Expect(card.Locator("[data-health]")).ToHaveTextAsync("healthy");

        // One call from the console's own form, three more from a backend: all are counted and charted.
        await page.GetByLabel("Function", new() { Exact = true }).SelectOptionAsync(name);
        await page.GetByLabel("Asynchronous (result arrives as an event)").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invoke", Exact = true }).ClickAsync();
        await Expect(page.Locator("#invoke-result")).ToContainTextAsync("\"success\": true");
        for (var i = 0; i < 3; i++)
        {
            using var invoked = await cluster.A.PostAsJsonAsync($"invoke/{name}", new { payload = new { i } });
            Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        }

        await Expect(card.Locator("[data-stat=invocations] dd")).ToHaveTextAsync("4");
        await Expect(card.Locator("[data-stat=succeeded] dd")).ToHaveTextAsync("4");
        await Expect(card.Locator("[data-stat=p50] dd")).ToHaveTextAsync(MillisecondsPattern());
        await Expect(card.GetByRole(AriaRole.Img, new() { Name = "Latency" })).ToHaveAttributeAsync("aria-label", LatestP50Pattern());
        await Expect(card.GetByRole(AriaRole.Img, new() { Name = "Calls per second" })).ToHaveAttributeAsync("aria-label", new Regex(@"\(([2-9]|\d\d+) samples\)"));
        Assert.All(cluster.Stub.History.Where(c => c.Path == "/ep/" + first || c.Path == "/ep/" + second),
            call => Assert.Equal("from-the-form", call.Headers["X-Console-Secret"]));
        Assert.True(cluster.Stub.CallsTo(first) > 0 && cluster.Stub.CallsTo(second) > 0, "both endpoints were called");
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task A_function_whose_endpoints_fail_their_health_checks_shows_degraded_then_down_not_active()
    {
        var name = "checked-" + Guid.NewGuid().ToString("N")[..8];
        var (first, second) = (Unique("first"), Unique("second"));
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Endpoint 1 URL").FillAsync(cluster.Stub.Url("ep/" + first).ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add an endpoint" }).ClickAsync();
        await page.GetByLabel("Endpoint 2 URL").FillAsync(cluster.Stub.Url("ep/" + second).ToString());
        await page.GetByLabel("Health checks").CheckAsync();
        await page.GetByLabel("Health check interval").FillAsync("200ms");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        await Expect(page.Locator("#function-form-result")).ToContainTextAsync($"Registered {name}");
        var card = FunctionCard(page, name);
        var health = card.Locator("[data-health]");
        await Expect(card.Locator("tr.endpoint .state-healthy")).ToHaveCountAsync(2);
        await Expect(health).ToHaveTextAsync("healthy");

        cluster.Stub.SetHealthy(first, false);
        await Expect(health).ToHaveTextAsync("degraded");
        await Expect(card.Locator(".health-reason")).ToContainTextAsync("1 of 2 endpoints usable");
        await Expect(card.Locator("tr.endpoint", new() { HasText = first }).Locator(".state-unhealthy")).ToHaveTextAsync("unhealthy");

        cluster.Stub.SetHealthy(second, false);
        await Expect(health).ToHaveTextAsync("down");
        await Expect(card.Locator(".health-reason")).ToContainTextAsync("No endpoint is usable");
        await Expect(card).Not.ToContainTextAsync("active");

        cluster.Stub.SetHealthy(first, true);
        cluster.Stub.SetHealthy(second, true);
        await Expect(health).ToHaveTextAsync("healthy");
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task Editing_a_function_keeps_the_settings_the_form_does_not_show_and_deleting_asks_first()
    {
        var (first, second) = (Unique("first"), Unique("second"));
        var name = await cluster.RegisterAsync(new()
        {
            ["endpoints"] = new[] { cluster.Stub.Url("ep/" + first).ToString(), cluster.Stub.Url("ep/" + second).ToString() },
            ["headers"] = new Dictionary<string, string> { ["X-Secret"] = "old-value" },
            ["retry"] = new { max_retries = 1, base_delay = "50ms", max_delay = "1s" },
            ["max_concurrency"] = 7,
        });
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit {name}" }).ClickAsync();
        await Expect(page.Locator("#form-title")).ToHaveTextAsync($"Edit {name}");
        await Expect(page.GetByLabel("Header 1 name")).ToHaveValueAsync("X-Secret");
        await Expect(page.GetByLabel("Header 1 value")).ToHaveValueAsync(string.Empty);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove endpoint 2" }).ClickAsync();
        await page.GetByLabel("Timeout", new() { Exact = true }).FillAsync("12s");

        // Header values are never shown, so saving without entering them again would lose them: the form says so.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#function-form-result")).ToContainTextAsync("Enter the value of X-Secret");
        await page.GetByLabel("Header 1 value").FillAsync("new-value");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#function-form-result")).ToContainTextAsync($"Saved {name} with 1 endpoint");
        await Expect(FunctionCard(page, name).Locator("tr.endpoint")).ToHaveCountAsync(1);

        var stored = await cluster.A.GetFromJsonAsync<JsonElement>($"admin/functions/{name}");
        Assert.Equal(1, stored.GetProperty("endpoints").GetArrayLength());
        Assert.Equal("12s", stored.GetProperty("timeout").GetString());
        Assert.Equal(7, stored.GetProperty("max_concurrency").GetInt32());
        Assert.Equal(1, stored.GetProperty("retry").GetProperty("max_retries").GetInt32());
        using (var invoked = await cluster.A.PostAsJsonAsync($"invoke/{name}", new { payload = new { } }))
        {
            var requestId = (await invoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
            Assert.Equal("new-value", cluster.Stub.Calls[requestId].Headers["X-Secret"]);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Delete {name}?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        using (var stillThere = await cluster.A.GetAsync($"admin/functions/{name}"))
        {
            Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.Locator("#function-form-result")).ToContainTextAsync($"Deleted {name}");
        await Expect(FunctionCard(page, name)).ToHaveCountAsync(0);
        using (var gone = await cluster.A.GetAsync($"admin/functions/{name}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task Every_control_has_a_name_and_delete_is_confirmed_or_cancelled_from_the_keyboard()
    {
        var name = await cluster.RegisterAsync("echo");
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);
        var delete = page.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" });
        await Expect(delete).ToBeVisibleAsync();

        var unnamed = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll("input, select, textarea, button")]
              .filter((e) => e.type !== "hidden")
              .filter((e) => !(e.labels?.length) && !e.getAttribute("aria-label") && !(e.tagName === "BUTTON" && e.textContent.trim()))
              .map((e) => e.outerHTML)
            """);
        Assert.Empty(unnamed);

        // Keyboard only: the confirmation opens on Cancel, Escape keeps the function, and focus survives the refreshes.
        await delete.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        var samples = await page.Locator("#connections-chart svg").GetAttributeAsync("data-samples");
        await Expect(page.Locator("#connections-chart svg")).Not.ToHaveAttributeAsync("data-samples", samples!);
        await Expect(delete).ToBeFocusedAsync();
        using (var kept = await cluster.A.GetAsync($"admin/functions/{name}"))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(FunctionCard(page, name)).ToHaveCountAsync(0);
        await Expect(page.Locator("#functions-title")).ToBeFocusedAsync();
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task Event_pane_on_silo_A_shows_a_result_invoked_through_silo_B()
    {
        var function = await cluster.RegisterAsync("echo");
        var clientId = "browser-" + Guid.NewGuid().ToString("N")[..8];
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);

        await ConnectEventPaneAsync(page, clientId);
        using var invoked = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { from = "silo B" }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var requestId = (await invoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;

        await Expect(page.Locator("#events li.function_response")).ToContainTextAsync(requestId);
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task Event_pane_shows_each_item_of_a_streamed_invocation_as_function_result_then_the_response()
    {
        var function = await cluster.RegisterAsync("stream/ndjson/3");
        var clientId = "stream-pane-" + Guid.NewGuid().ToString("N")[..8];
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);
        await ConnectEventPaneAsync(page, clientId);

        await page.GetByLabel("Function", new() { Exact = true }).SelectOptionAsync(function);
        await page.GetByLabel("Client id (receives the result on its stream)").FillAsync(clientId);
        await page.GetByLabel("Stream items as function_result events (asynchronous only)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invoke", Exact = true }).ClickAsync();

        await Expect(page.Locator("#invoke-result")).ToContainTextAsync("202");
        await Expect(page.Locator("#events li.function_result")).ToHaveCountAsync(3);
        await Expect(page.Locator("#events li.function_result").Last).ToContainTextAsync($"{function} · item 0");
        await Expect(page.Locator("#events li.function_response")).ToContainTextAsync("3 items");
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task Connected_clients_are_listed_under_the_silo_that_holds_their_stream()
    {
        var (onA, onB) = ("on-a-" + Guid.NewGuid().ToString("N")[..8], "on-b-" + Guid.NewGuid().ToString("N")[..8]);
        await using var streamA = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{onA}");
        await using var streamB = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{onB}");
        await streamA.NextOfTypeAsync("connected");
        await streamB.NextOfTypeAsync("connected");
        var siloA = await SiloIdAsync(cluster.A);
        var siloB = await SiloIdAsync(cluster.B);
        var page = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Phone);

        var underA = page.Locator($".silo-clients[data-silo='{siloA}']");
        var underB = page.Locator($".silo-clients[data-silo='{siloB}']");
        await Expect(underA.Locator($"tr[data-client='{onA}']")).ToHaveCountAsync(1);
        await Expect(underB.Locator($"tr[data-client='{onB}']")).ToHaveCountAsync(1);
        await Expect(underA.Locator($"tr[data-client='{onB}']")).ToHaveCountAsync(0);
        await Expect(underA.Locator("h3")).ToContainTextAsync("(this silo)");
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task Screenshots_of_a_console_in_use_at_desktop_and_phone_width()
    {
        var (first, second) = (Unique("first"), Unique("second"));
        var function = await cluster.RegisterAsync(new()
        {
            ["endpoints"] = new[] { cluster.Stub.Url("ep/" + first).ToString(), cluster.Stub.Url("ep/" + second).ToString() },
            ["health_check"] = new { interval = "1s", timeout = "900ms" },
            ["description"] = "Two endpoints behind one name",
        });
        var clientId = "console-" + Guid.NewGuid().ToString("N")[..6];
        var desktop = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Desktop);

        // The shared cluster holds other tests' functions too: the filter shows this one alone.
        await desktop.GetByLabel("Show functions whose name contains").FillAsync(function);
        await ConnectEventPaneAsync(desktop, clientId);
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i <= round; i++)
            {
                using var invoked = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { round }, client_id = clientId, @async = true });
                Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
            }

            // Wait for the page's next sample, so the chart has a point per round.
            var samples = await desktop.Locator("#connections-chart svg").GetAttributeAsync("data-samples");
            await Expect(desktop.Locator("#connections-chart svg")).Not.ToHaveAttributeAsync("data-samples", samples!);
        }

        await Expect(desktop.Locator("article.function")).ToHaveCountAsync(1);
        await Expect(FunctionCard(desktop, function).Locator("[data-stat=invocations] dd")).ToHaveTextAsync("10");
        await Expect(desktop.Locator("#events li.function_response")).ToHaveCountAsync(10);
        await desktop.GetByLabel("Show heartbeats").UncheckAsync();
        await Expect(desktop.Locator("#events li.heartbeat").First).ToBeHiddenAsync();
        await desktop.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleBrowser.ScreenshotPath("console-desktop.png"), FullPage = true });

        var phone = await _browser.OpenAsync(cluster.SiloA.BaseAddress, ConsoleBrowser.Phone);
        await phone.GetByLabel("Show functions whose name contains").FillAsync(function);
        await Expect(phone.Locator("article.function")).ToHaveCountAsync(1);
        await Expect(phone.Locator("#connections-chart svg")).ToHaveAttributeAsync("data-samples", ThreeOrMorePattern());
        await phone.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleBrowser.ScreenshotPath("console-phone.png"), FullPage = true });
        Assert.Empty(_browser.Errors);
    }

    internal static ILocator FunctionCard(IPage page, string name) => page.Locator($"article.function[data-name='{name}']");

    internal static async Task ConnectEventPaneAsync(IPage page, string clientId)
    {
        await page.GetByLabel("Client id", new() { Exact = true }).FillAsync(clientId);
        await page.Locator("#stream-toggle").ClickAsync();
        await Expect(page.Locator("#stream-state")).ToContainTextAsync($"Connected as {clientId}");
    }

    private static async Task<string> SiloIdAsync(HttpClient silo) =>
        (await silo.GetFromJsonAsync<JsonElement>("admin/health")).GetProperty("metrics").GetProperty("silo").GetString()!;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [GeneratedRegex(@"^[0-9.]+ (ms|s)$")]
    private static partial Regex MillisecondsPattern();

    [GeneratedRegex(@"^([3-9]|[0-9]{2,})$")]
    private static partial Regex ThreeOrMorePattern();

    [GeneratedRegex(@"latest p50 [0-9.]+ ms")]
    private static partial Regex LatestP50Pattern();
}
