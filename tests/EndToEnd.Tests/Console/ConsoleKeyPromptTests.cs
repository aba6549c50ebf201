using Microsoft.Playwright;
using SseVirtualization.EndToEnd.Tests.Security;
using SseVirtualization.TestInfrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>
/// The console of a silo started with an admin API key and a token signing key, as a deployment would be: every admin
/// call answers 401 until the user enters the key, and client streams need a token.
/// </summary>
public sealed class ConsoleKeyPromptTests : IClassFixture<ConsoleKeyPromptTests.KeyedSilo>, IAsyncLifetime
{
    private const string AdminKey = "console-admin-key-0123456789abcdef";

    private readonly KeyedSilo _silo;
    private ConsoleBrowser _browser = null!;

    public ConsoleKeyPromptTests(KeyedSilo silo) => _silo = silo;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Theory]
    [InlineData(ConsoleBrowser.Desktop)]
    [InlineData(ConsoleBrowser.Phone)]
    public async Task The_console_asks_for_the_admin_key_signs_in_with_it_and_never_keeps_it(int width)
    {
        var page = await _browser.OpenAsync(_silo.Silo.BaseAddress, width);
        var prompt = page.GetByRole(AriaRole.Region, new() { Name = "An admin API key is needed" });
        await Expect(prompt).ToBeVisibleAsync();
        await Expect(prompt).ToContainTextAsync("401");
        await Expect(page.GetByLabel("Admin API key", new() { Exact = true })).ToBeFocusedAsync();

        await page.GetByLabel("Admin API key", new() { Exact = true }).FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That key was not accepted");

        await page.GetByLabel("Admin API key", new() { Exact = true }).FillAsync(AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(prompt).ToBeHiddenAsync();
        await Expect(page.Locator("#served-by")).ToContainTextAsync("Served by silo");
        await Expect(page.Locator("#session-state")).ToContainTextAsync("Signed in with an admin key");

        // The session works for writes (same origin, cookie): register through the form.
        var name = "keyed-" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Endpoint 1 URL").FillAsync(_silo.Stub.Url("echo").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        await Expect(page.Locator("#function-form-result")).ToContainTextAsync($"Registered {name}");
        await Expect(ConsoleBrowserTests.FunctionCard(page, name)).ToHaveCountAsync(1);

        var stored = await page.EvaluateAsync<string>("() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie");
        Assert.DoesNotContain(AdminKey, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("sse_admin", stored, StringComparison.Ordinal); // HttpOnly: out of the page's reach

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(prompt).ToBeVisibleAsync();
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task A_stream_that_needs_a_token_gets_one_and_resumes_with_a_fresh_one_when_it_expires()
    {
        var page = await _browser.OpenAsync(_silo.Silo.BaseAddress, ConsoleBrowser.Desktop);
        await page.GetByLabel("Admin API key", new() { Exact = true }).FillAsync(AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#served-by")).ToContainTextAsync("Served by silo");
        var clientId = "token-pane-" + Guid.NewGuid().ToString("N")[..8];

        await page.GetByLabel("Token lifetime, when streams need a token").FillAsync("3s");
        await ConsoleBrowserTests.ConnectEventPaneAsync(page, clientId);
        await Expect(page.Locator("#stream-state")).ToContainTextAsync("with a token until");

        await Expect(page.Locator("#events li.token_expired")).ToHaveCountAsync(1);
        await Expect(page.Locator("#events li.connected")).ToHaveCountAsync(2);
        await Expect(page.Locator("#stream-state")).ToContainTextAsync($"Connected as {clientId}");
        Assert.Empty(_browser.Errors);
    }

    /// <summary>A silo (embedded mode) with an admin key and a token signing key, and a stub function.</summary>
    public sealed class KeyedSilo : IAsyncLifetime
    {
        public SiloProcess Silo { get; private set; } = null!;

        public StubFunctionServer Stub { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Stub = await StubFunctionServer.StartAsync();
            Silo = await SiloProcess.StartAsync(new Dictionary<string, string?>
            {
                ["Security__ApiKeys__0__Name"] = "ops",
                ["Security__ApiKeys__0__Hash"] = SecuredSilo.Hash(AdminKey),
                ["Security__ApiKeys__0__Role"] = "admin",
                ["Security__Tokens__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            });
        }

        public async Task DisposeAsync()
        {
            if (Silo is not null)
            {
                await Silo.DisposeAsync();
            }

            if (Stub is not null)
            {
                await Stub.DisposeAsync();
            }
        }
    }
}
