using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// A hostile web page, run for real in Chromium, against the keyless silos of the shared cluster (the embedded default's
/// "loopback only" mode): the developer's browser is on loopback, so the page must not borrow that authority.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class DriveByTests(ClusterFixture cluster) : IAsyncLifetime
{
    private const string ReboundName = "rebound.example";

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(
            _playwright,
            // An attacker's DNS name that resolves to this machine (DNS rebinding, without a DNS server).
            $"--host-resolver-rules=MAP {ReboundName} 127.0.0.1",
            // Model the browsers that let a public page reach loopback without asking (Private Network Access is Chromium's
            // alone, and not enforced everywhere): the silo must hold on its own.
            "--disable-features=PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests,LocalNetworkAccessChecks");
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_page_on_another_site_cannot_register_invoke_run_or_read()
    {
        var echo = await cluster.RegisterAsync("echo");
        var marker = "drive-by-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenAttackPageAsync("http://evil.example/attack.html");

        var outcome = await page.EvaluateAsync<JsonElement>(
            """
            async ({ silo, echo, marker, endpoint }) => {
              const attempt = async (path, init) => {
                try {
                  const response = await fetch(silo + path, init);
                  return "read " + response.status + " " + await response.text();
                } catch (error) {
                  return "error " + error;
                }
              };
              const plain = { "Content-Type": "text/plain" };
              const outcome = {
                // A "simple" request: the browser sends it without asking, whatever the answer.
                registerPlain: await attempt("admin/functions", { method: "POST", headers: plain, body: JSON.stringify({ name: marker + "-plain", endpoint }) }),
                // A JSON request: the browser asks first (preflight), and sends it only if the answer allows this origin.
                registerJson: await attempt("admin/functions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: marker + "-json", endpoint }) }),
                invoke: await attempt("invoke/" + echo, { method: "POST", headers: plain, body: JSON.stringify({ payload: { marker } }) }),
                connections: await attempt("admin/connections", {}),
              };
              // A GET a page can fire blind (an <img>, a no-cors fetch): /mcp/stream runs the function it names.
              try {
                const controller = new AbortController();
                await fetch(silo + "mcp/stream?function=" + encodeURIComponent(echo) + "&marker=" + marker, { mode: "no-cors", signal: controller.signal });
                controller.abort();
              } catch { }
              return outcome;
            }
            """,
            new { silo = cluster.SiloA.BaseAddress.ToString(), echo, marker, endpoint = cluster.Stub.Url("echo").ToString() });

        // A call the test makes itself, after the page's: once the stub has it, anything the page started has arrived too.
        var control = marker + "-control";
        using (var invoked = await cluster.A.PostAsJsonAsync($"invoke/{echo}", new { payload = new { marker = control } }))
        {
            Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        }

        await AssertNotRegisteredAsync(marker + "-plain");
        await AssertNotRegisteredAsync(marker + "-json");
        Assert.Contains(cluster.Stub.History, call => call.Body?.Contains(control, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(cluster.Stub.History, call => call.Body?.Contains(marker + "\"", StringComparison.Ordinal) == true);
        Assert.StartsWith("error", outcome.GetProperty("invoke").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("error", outcome.GetProperty("connections").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_under_a_name_rebound_to_loopback_is_refused_though_its_requests_are_same_origin()
    {
        var marker = "rebound-" + Guid.NewGuid().ToString("N")[..8];
        var origin = $"http://{ReboundName}:{cluster.SiloA.HttpPort}/";
        var page = await OpenAttackPageAsync(origin + "attack.html");

        var outcome = await page.EvaluateAsync<JsonElement>(
            """
            async ({ marker, endpoint }) => {
              const status = async (path, init) => (await fetch(path, init)).status;
              return {
                live: await status("health/live", {}),
                register: await status("admin/functions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: marker, endpoint }) }),
                connections: await status("admin/connections", {}),
              };
            }
            """,
            new { marker, endpoint = cluster.Stub.Url("echo").ToString() });

        // The page reached the silo under the rebound name (health answers anyone), and was refused where it mattered.
        Assert.Equal(200, outcome.GetProperty("live").GetInt32());
        Assert.Equal(403, outcome.GetProperty("register").GetInt32());
        Assert.Equal(403, outcome.GetProperty("connections").GetInt32());
        await AssertNotRegisteredAsync(marker);
    }

    /// <summary>A page at <paramref name="url"/> whose content the attacker controls (served by the browser, not the silo).</summary>
    private async Task<IPage> OpenAttackPageAsync(string url)
    {
        var page = await _browser.NewPageAsync();
        await page.RouteAsync(url, route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<!doctype html><title>A page the developer happens to have open</title>",
        }));
        await page.GotoAsync(url);
        return page;
    }

    private async Task AssertNotRegisteredAsync(string name)
    {
        using var response = await cluster.A.GetAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
