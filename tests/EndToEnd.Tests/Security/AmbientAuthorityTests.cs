using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.EndToEnd.Tests.Security.ProblemAnswers;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// The keyless silos' "loopback only" as plain HTTP: what a browser would send for a page elsewhere (a foreign Host,
/// Origin or Sec-Fetch-Site, a text/plain body) is refused; what a developer's own tools send still works.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class AmbientAuthorityTests(ClusterFixture cluster)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private HttpRequestMessage Register(string name, string contentType = "application/json") =>
        new(HttpMethod.Post, "admin/functions")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { name, endpoint = cluster.Stub.Url("echo").ToString() }), Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)),
        };

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_body_not_declared_json_is_refused_with_415_and_nothing_is_stored(string contentType)
    {
        var name = Unique("plain");
        using var request = Register(name, contentType);

        using var response = await cluster.A.SendAsync(request);

        Assert.Contains("application/json", (await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var lookup = await cluster.A.GetAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task Json_with_a_charset_and_an_empty_invocation_body_are_still_accepted()
    {
        using var request = Register(Unique("charset"), "application/json; charset=utf-8");
        using var registered = await cluster.A.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var function = await cluster.RegisterAsync("echo");
        using var invoked = await cluster.A.PostAsync($"invoke/{function}", content: null);
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
    }

    [Theory]
    [InlineData("GET", "admin/functions")]
    [InlineData("GET", "admin/connections")]
    [InlineData("POST", "invoke/anything")]
    [InlineData("GET", "mcp/stream?function=anything")]
    [InlineData("GET", "metrics")]
    public async Task A_request_addressed_to_a_name_that_is_not_loopback_is_refused(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Host = "rebound.example:" + cluster.SiloA.HttpPort;

        using var response = await cluster.A.SendAsync(request);

        Assert.Contains("not a loopback name", (await ProblemAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_still_open_under_any_name_and_from_any_origin()
    {
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{Unique("any-host")}", request =>
        {
            request.Headers.Host = "rebound.example:" + cluster.SiloA.HttpPort;
            request.Headers.Add("Origin", "http://app.example");
        });

        Assert.Equal("connected", (await sse.NextAsync()).EventType);
    }

    [Theory]
    [InlineData("http://evil.example", "cross-site")]
    [InlineData("http://127.0.0.1:9", "same-site")] // same host, another port: SameSite cookies would go along
    [InlineData("null", "cross-site")] // a sandboxed frame or a file
    public async Task A_write_from_another_origin_is_refused(string origin, string site)
    {
        var name = Unique("cross");
        using var request = Register(name);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Sec-Fetch-Site", site);

        using var response = await cluster.A.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.Forbidden);
        using var lookup = await cluster.A.GetAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task A_write_from_the_silos_own_page_is_accepted()
    {
        using var request = Register(Unique("own"));
        request.Headers.Add("Origin", $"http://127.0.0.1:{cluster.SiloA.HttpPort}");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await cluster.A.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_blind_get_from_another_site_runs_nothing()
    {
        var function = await cluster.RegisterAsync("echo");
        var marker = Unique("blind");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"mcp/stream?function={function}&marker={marker}");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Sec-Fetch-Mode", "no-cors");

        using var response = await cluster.A.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.DoesNotContain(cluster.Stub.History, call => call.Body?.Contains(marker, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_credential_that_fails_is_no_pass_for_a_blind_get_from_another_site()
    {
        // Any page can add ?access_token=x; failing, it leaves the request as anonymous (and so local) as none.
        var function = await cluster.RegisterAsync("echo");
        var marker = Unique("bad-token");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"mcp/stream?function={function}&marker={marker}&access_token=x");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await cluster.A.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.DoesNotContain(cluster.Stub.History, call => call.Body?.Contains(marker, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_key_that_fails_is_no_pass_for_a_page_under_a_rebound_name()
    {
        // Same-origin under its own name, the page may set any header it likes.
        var name = Unique("bad-key");
        using var request = Register(name);
        request.Headers.Host = "rebound.example:" + cluster.SiloA.HttpPort;
        request.Headers.Add("X-Api-Key", "anything");

        using var response = await cluster.A.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.Forbidden);
        using var lookup = await cluster.A.GetAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task A_link_from_another_site_opens_the_dashboard_page()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");

        using var response = await cluster.A.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("invoke/some-function", "POST")]
    [InlineData("admin/functions", "POST")]
    [InlineData("mcp/stream", "GET")]
    public async Task Admin_and_invocations_allow_no_other_origin_by_default(string path, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", "http://app.example");
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await cluster.B.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), "a foreign origin was allowed");
    }

    [Fact]
    public async Task A_caller_forwarded_by_a_proxy_on_this_machine_is_not_the_local_caller()
    {
        // The usual switch behind a proxy: ASP.NET Core then takes the caller's address from X-Forwarded-For. A proxy on
        // this machine (nginx in front of a keyless silo) forwards callers from anywhere, who are not "loopback".
        // This held before the socket's peer was read too; it keeps holding with it. The remote caller who claims
        // 127.0.0.1 cannot exist here (every test server binds loopback): see LocalCallerTests.
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?> { ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true" });
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "admin/functions");
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var refused = await http.SendAsync(forwarded);
        using var direct = await http.GetAsync("admin/functions");

        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
    }
}
