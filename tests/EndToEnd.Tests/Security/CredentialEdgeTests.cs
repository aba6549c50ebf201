using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.EndToEnd.Tests.Security.ProblemAnswers;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// Credentials at their edges, on a silo with API keys and tokens: what a cookie may do, tokens at and past their
/// expiry or with unknown critical headers, and what the scrape and the OAuth metadata disclose.
/// </summary>
public sealed class CredentialEdgeTests(SecuredSilo secured) : IClassFixture<SecuredSilo>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A client that sends only the cookies a test sets (the shared clients keep what they are given).</summary>
    private HttpClient WithoutCookieJar() =>
        new(new HttpClientHandler { UseCookies = false }) { BaseAddress = secured.Silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private async Task<string> RegisterAsync()
    {
        var name = Unique("fn");
        using var response = await secured.Admin.PostAsJsonAsync("admin/functions", new { name, endpoint = secured.Stub.Url("echo").ToString() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    [Fact]
    public async Task The_token_cookie_opens_a_stream_but_never_runs_a_function()
    {
        var clientId = Unique("cookie");
        var function = await RegisterAsync();
        var token = secured.SignToken(clientId, DateTimeOffset.UtcNow.AddMinutes(10), scope: $"stream invoke:{function}");
        var marker = Unique("by-cookie");

        await using (var stream = await SseClient.ConnectAsync(secured.Silo.BaseAddress, $"sse/{clientId}", r => r.Headers.Add("Cookie", $"sse_token={token}")))
        {
            Assert.Equal("connected", (await stream.NextAsync()).EventType);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"mcp/stream?function={function}&marker={marker}");
        request.Headers.Add("Cookie", $"sse_token={token}");
        using var browser = WithoutCookieJar();
        using var byCookie = await browser.SendAsync(request);

        await ProblemAsync(byCookie, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(secured.Stub.History, call => call.Body?.Contains(marker, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_admin_session_cookie_writes_only_from_the_silos_own_origin()
    {
        using var login = new HttpRequestMessage(HttpMethod.Post, "admin/session");
        login.Headers.Add("X-Api-Key", SecuredSilo.AdminKey);
        using var browser = WithoutCookieJar();
        using var started = await browser.SendAsync(login);
        Assert.Equal(HttpStatusCode.NoContent, started.StatusCode);
        var cookie = started.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        async Task<HttpResponseMessage> RegisterWithCookieAsync(string name, string origin, string site)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "admin/functions")
            {
                Content = JsonContent.Create(new { name, endpoint = secured.Stub.Url("echo").ToString() }),
            };
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Sec-Fetch-Site", site);
            return await browser.SendAsync(request);
        }

        // Same host, another port: "same-site", so a SameSite=Strict cookie goes along.
        var foreign = Unique("foreign");
        using var fromOtherPort = await RegisterWithCookieAsync(foreign, "http://127.0.0.1:9", "same-site");
        using var fromConsole = await RegisterWithCookieAsync(Unique("console"), $"http://127.0.0.1:{secured.Silo.HttpPort}", "same-origin");

        await ProblemAsync(fromOtherPort, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, fromConsole.StatusCode);
        using var lookup = await secured.Admin.GetAsync($"admin/functions/{foreign}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task A_token_past_its_expiry_opens_no_stream_even_within_the_clock_skew()
    {
        var clientId = Unique("skew");
        var token = secured.SignToken(clientId, DateTimeOffset.UtcNow.AddSeconds(-3)); // validation allows 30 s of skew

        using var request = new HttpRequestMessage(HttpMethod.Get, $"sse/{clientId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await secured.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Contains("expired", (await ProblemAsync(response, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_critical_header_extensions_is_refused()
    {
        var clientId = Unique("crit");
        var token = secured.SignToken(clientId, DateTimeOffset.UtcNow.AddMinutes(10), headers: new Dictionary<string, object>
        {
            ["crit"] = new[] { "exp-policy" },
            ["exp-policy"] = "must-understand",
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, $"sse/{clientId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await secured.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_prometheus_scrape_needs_an_admin_key()
    {
        using var anonymous = await secured.Anonymous.GetAsync("metrics");
        using var service = await secured.Service.GetAsync("metrics");
        using var admin = await secured.Admin.GetAsync("metrics");

        await ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        await ProblemAsync(service, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("# TYPE", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_oauth_metadata_names_only_hosts_mcp_serves_under()
    {
        using var foreign = new HttpRequestMessage(HttpMethod.Get, ".well-known/oauth-protected-resource/mcp");
        foreign.Headers.Host = "attacker.example";
        using var refused = await secured.Anonymous.SendAsync(foreign);
        using var own = await secured.Anonymous.GetAsync(".well-known/oauth-protected-resource/mcp");

        Assert.False((await ProblemAsync(refused, HttpStatusCode.Forbidden)).TryGetProperty("resource", out _), "metadata was given for a foreign host");
        Assert.Equal($"http://127.0.0.1:{secured.Silo.HttpPort}/mcp", (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resource").GetString());
    }
}
