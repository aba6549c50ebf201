using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.EndToEnd.Tests.Security.ProblemAnswers;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>Who may administer, invoke and listen, on a silo with API keys and a token key configured.</summary>
public sealed class AccessTests(SecuredSilo secured) : IClassFixture<SecuredSilo>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> RegisterAsync(string path = "echo")
    {
        var name = Unique("fn");
        using var response = await secured.Admin.PostAsJsonAsync("admin/functions", new { name, endpoint = secured.Stub.Url(path).ToString() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    private async Task<string> IssueAsync(string clientId, string[]? functions = null, string? ttl = null)
    {
        using var response = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = clientId, functions, ttl });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task Admin_needs_an_admin_key()
    {
        using var none = await secured.Anonymous.GetAsync("admin/functions");
        using var wrong = await secured.Client("not-a-key").GetAsync("admin/functions");
        using var service = await secured.Service.GetAsync("admin/functions");
        using var admin = await secured.Admin.GetAsync("admin/functions");

        await ProblemAsync(none, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("API key is not valid", (await ProblemAsync(wrong, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(service, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task A_stream_opens_only_with_a_token_for_its_client_id_from_header_query_or_cookie()
    {
        var clientId = Unique("client");
        var token = await IssueAsync(clientId);

        await using (var byHeader = await SseClient.ConnectAsync(secured.Silo.BaseAddress, $"sse/{clientId}", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token)))
        {
            Assert.Equal("connected", (await byHeader.NextAsync()).EventType);
        }

        await using (var byQuery = await SseClient.ConnectAsync(secured.Silo.BaseAddress, $"sse/{clientId}?access_token={token}&app=demo"))
        {
            var connected = await byQuery.NextAsync();
            Assert.Equal("connected", connected.EventType);
            Assert.DoesNotContain(token, connected.Data, StringComparison.Ordinal); // a credential is not metadata
            Assert.Contains("demo", connected.Data, StringComparison.Ordinal);
        }

        await using (var byCookie = await SseClient.ConnectAsync(secured.Silo.BaseAddress, $"sse/{clientId}", r => r.Headers.Add("Cookie", $"sse_token={token}")))
        {
            Assert.Equal("connected", (await byCookie.NextAsync()).EventType);
        }

        using var none = await secured.Anonymous.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead);
        await ProblemAsync(none, HttpStatusCode.Unauthorized);
        using var other = await secured.Anonymous.GetAsync($"sse/{Unique("other")}?access_token={token}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Contains("another client id", (await ProblemAsync(other, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expired", "has expired")]
    [InlineData("audience", "another audience")]
    [InlineData("forged", "signature is not valid")]
    [InlineData("garbage", "not valid")]
    public async Task Bad_tokens_are_refused_with_the_reason(string kind, string reason)
    {
        var clientId = Unique("client");
        var token = kind switch
        {
            "expired" => secured.SignToken(clientId, DateTimeOffset.UtcNow.AddMinutes(-5)),
            "audience" => secured.SignToken(clientId, DateTimeOffset.UtcNow.AddHours(1), audience: "someone-else"),
            "forged" => secured.SignToken(clientId, DateTimeOffset.UtcNow.AddHours(1), key: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            _ => "not.a.token",
        };

        using var request = new HttpRequestMessage(HttpMethod.Get, $"sse/{clientId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await secured.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_says_token_expired_when_its_token_runs_out_and_then_ends()
    {
        var clientId = Unique("client");
        var token = secured.SignToken(clientId, DateTimeOffset.UtcNow.AddSeconds(3));

        await using var sse = await SseClient.ConnectAsync(secured.Silo.BaseAddress, $"sse/{clientId}?access_token={token}");

        Assert.Equal("connected", (await sse.NextAsync()).EventType);
        var expired = await sse.NextOfTypeAsync("token_expired", TimeSpan.FromSeconds(30));
        Assert.Null(expired.EventId);
        Assert.Equal("token expired", JsonDocument.Parse(expired.Data).RootElement.GetProperty("reason").GetString());
        await Assert.ThrowsAsync<InvalidOperationException>(() => sse.NextAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_token_invokes_only_its_functions_and_only_for_its_own_client()
    {
        var (allowed, other) = (await RegisterAsync(), await RegisterAsync());
        var (clientId, victim) = (Unique("client"), Unique("victim"));
        using var withToken = secured.Client(null);
        withToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await IssueAsync(clientId, [allowed]));

        using var own = await withToken.PostAsJsonAsync($"invoke/{allowed}", new { payload = new { }, client_id = clientId, @async = true });
        using var sync = await withToken.PostAsJsonAsync($"invoke/{allowed}", new { payload = new { } });
        using var push = await withToken.PostAsJsonAsync($"invoke/{allowed}", new { payload = new { }, client_id = victim, @async = true });
        using var unscoped = await withToken.PostAsJsonAsync($"invoke/{other}", new { payload = new { }, client_id = clientId });
        using var anonymous = await secured.Anonymous.PostAsJsonAsync($"invoke/{allowed}", new { payload = new { }, client_id = clientId });
        using var service = await secured.Service.PostAsJsonAsync($"invoke/{allowed}", new { payload = new { }, client_id = victim, @async = true });
        using var streamQuery = await withToken.GetAsync($"mcp/stream?q=x&function={other}", HttpCompletionOption.ResponseHeadersRead);
        using var byCookie = new HttpRequestMessage(HttpMethod.Post, $"invoke/{allowed}") { Content = JsonContent.Create(new { payload = new { }, client_id = clientId }) };
        byCookie.Headers.Add("Cookie", $"sse_token={withToken.DefaultRequestHeaders.Authorization!.Parameter}");
        using var cookiePost = await secured.Anonymous.SendAsync(byCookie);

        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sync.StatusCode);
        Assert.Contains("own client id", (await ProblemAsync(push, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains($"invoke:{other}", (await ProblemAsync(unscoped, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        await ProblemAsync(streamQuery, HttpStatusCode.Forbidden);
        await ProblemAsync(cookiePost, HttpStatusCode.Unauthorized); // cookies open streams; they never authorise a POST
        Assert.Equal(HttpStatusCode.Accepted, service.StatusCode); // a service key may deliver to any client

        // Nothing the refused push asked for reached the victim's stream: only the service key's result did.
        await using var victimStream = await SseClient.ConnectAsync(secured.Silo.BaseAddress, $"sse/{victim}?access_token={await IssueAsync(victim)}");
        await victimStream.NextOfTypeAsync("function_response");
        Assert.Equal(1, secured.Stub.History.Count(c => c.ClientId == victim));
    }

    [Fact]
    public async Task Token_requests_are_checked()
    {
        using var noClient = await secured.Admin.PostAsJsonAsync("admin/tokens", new { ttl = "1h" });
        using var longLived = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = "c", ttl = "48h" });
        using var badFunction = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = "c", functions = new[] { "bad name" } });
        using var byService = await secured.Service.PostAsJsonAsync("admin/tokens", new { client_id = "c" });

        Assert.Equal("client_id", (await ProblemAsync(noClient, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("ttl", (await ProblemAsync(longLived, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("functions", (await ProblemAsync(badFunction, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        await ProblemAsync(byService, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Token_requests_with_unknown_fields_or_scopes_are_refused_by_name()
    {
        // "scope" (singular) is a plausible slip for "scopes": it must not issue a token without what was asked.
        using var misspelt = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = "c", scope = "mcp" });
        using var unknownScope = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = "c", scopes = new[] { "admin" } });
        using var badInvoke = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = "c", scopes = new[] { "invoke:bad name" } });

        var problem = await ProblemAsync(misspelt, HttpStatusCode.BadRequest);
        Assert.Equal("scope", problem.GetProperty("field").GetString());
        Assert.Contains("scopes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("scopes", (await ProblemAsync(unknownScope, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("scopes", (await ProblemAsync(badInvoke, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_token_request_grants_the_scopes_it_names_and_the_functions_it_lists()
    {
        var function = await RegisterAsync();
        using var response = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = Unique("c"), scopes = new[] { "mcp", "invoke:*" }, functions = new[] { function } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var scope = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scope").GetString()!.Split(' ');
        Assert.Equal(new[] { "stream", "mcp", "invoke:*", "invoke:" + function }.Order(StringComparer.Ordinal), scope.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_browser_gets_an_admin_session_cookie_for_the_key_and_the_dashboard_needs_it()
    {
        using var anonymousDashboard = await secured.Anonymous.GetAsync("dashboard/");
        await ProblemAsync(anonymousDashboard, HttpStatusCode.Unauthorized);

        using var handler = new HttpClientHandler { UseCookies = true };
        using var browser = new HttpClient(handler) { BaseAddress = secured.Silo.BaseAddress };
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "admin/session"))
        {
            wrong.Headers.Add("X-Api-Key", "guess");
            using var refused = await browser.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var login = new HttpRequestMessage(HttpMethod.Post, "admin/session"))
        {
            login.Headers.Add("X-Api-Key", SecuredSilo.AdminKey);
            using var started = await browser.SendAsync(login);
            Assert.Equal(HttpStatusCode.NoContent, started.StatusCode);
            var cookie = started.Headers.GetValues("Set-Cookie").Single();
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(SecuredSilo.AdminKey, cookie, StringComparison.Ordinal);
        }

        using var functions = await browser.GetAsync("admin/functions");
        using var dashboard = await browser.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, functions.StatusCode);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);

        using var logout = await browser.DeleteAsync("admin/session");
        using var after = await browser.GetAsync("admin/functions");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
