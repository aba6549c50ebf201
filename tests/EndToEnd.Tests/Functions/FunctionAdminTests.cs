using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Functions;

[Collection(ClusterCollectionDefinition.Name)]
public sealed class FunctionAdminTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Registered_function_is_stored_with_timestamps_and_redacted_headers_and_visible_from_every_silo()
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        using var created = await cluster.A.PostAsJsonAsync("admin/functions", new
        {
            name,
            endpoint = cluster.Stub.Url("echo").ToString(),
            method = "put",
            timeout = "1m30s",
            description = "Processes text input",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer top-secret" },
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain("top-secret", body, StringComparison.Ordinal);
        var stored = JsonDocument.Parse(body).RootElement;
        Assert.Equal("PUT", stored.GetProperty("method").GetString());
        Assert.Equal("1m30s", stored.GetProperty("timeout").GetString());
        Assert.Equal("Processes text input", stored.GetProperty("description").GetString());
        Assert.True(stored.GetProperty("is_active").GetBoolean());
        Assert.Equal("[redacted]", stored.GetProperty("headers").GetProperty("Authorization").GetString());

        var fromB = await cluster.B.GetFromJsonAsync<JsonElement>($"admin/functions/{name}");
        Assert.Equal(stored.GetProperty("created_at").GetString(), fromB.GetProperty("created_at").GetString());
        var list = await cluster.B.GetFromJsonAsync<JsonElement>("admin/functions");
        var names = list.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToList();
        Assert.Contains(name, names);
        Assert.Equal(names.Count, list.GetProperty("count").GetInt32());
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.DoesNotContain("top-secret", await cluster.B.GetStringAsync("admin/functions"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Re_registering_a_name_updates_it_and_keeps_its_creation_time()
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        using var first = await cluster.A.PostAsJsonAsync("admin/functions", new { name, endpoint = cluster.Stub.Url("echo").ToString() });
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();

        using var second = await cluster.B.PostAsJsonAsync("admin/functions", new { name, endpoint = cluster.Stub.Url("text").ToString(), timeout = 5_000_000_000L });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var updated = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.GetProperty("created_at").GetString(), updated.GetProperty("created_at").GetString());
        Assert.Equal("5s", updated.GetProperty("timeout").GetString());
        Assert.EndsWith("/text", updated.GetProperty("endpoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_updates_an_existing_function_and_delete_removes_it()
    {
        var name = await cluster.RegisterAsync("echo");

        using var put = await cluster.B.PutAsJsonAsync($"admin/functions/{name}", new { endpoint = cluster.Stub.Url("text").ToString(), description = "now text" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("now text", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString());

        using var deleted = await cluster.A.DeleteAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await cluster.B.GetAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var list = await cluster.A.GetFromJsonAsync<JsonElement>("admin/functions");
        Assert.DoesNotContain(list.GetProperty("functions").EnumerateArray(), f => f.GetProperty("name").GetString() == name);
        using var invoke = await cluster.A.PostAsJsonAsync($"invoke/{name}", new { payload = new { } });
        Assert.Equal(HttpStatusCode.NotFound, invoke.StatusCode);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task A_dot_name_is_refused_at_registration_since_no_url_could_read_update_or_delete_it(string name)
    {
        using var response = await cluster.A.PostAsJsonAsync("admin/functions", new { name, endpoint = cluster.Stub.Url("echo").ToString() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("name", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var list = await cluster.B.GetFromJsonAsync<JsonElement>("admin/functions");
        Assert.DoesNotContain(list.GetProperty("functions").EnumerateArray(), f => f.GetProperty("name").GetString() == name);
    }

    [Theory]
    [InlineData("X-Key", "a\\u0000b", "headers.X-Key")]
    [InlineData("X-Key", "line\\nbreak", "headers.X-Key")]
    [InlineData("X-Key", "carriage\\rreturn", "headers.X-Key")]
    [InlineData("X-Key", "caf\\u00e9", "headers.X-Key")]
    [InlineData("X-Key", "\\u0007bell", "headers.X-Key")]
    [InlineData("X Key", "v", "headers.X Key")]
    [InlineData("X-K\\u00e9y", "v", "headers.X-K\\u00e9y")]
    [InlineData("X:Key", "v", "headers.X:Key")]
    public async Task A_header_no_call_could_send_is_refused_at_registration_naming_it(string header, string value, string field)
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        var body = "{\"name\":\"" + name + "\",\"endpoint\":\"" + cluster.Stub.Url("echo") + "\",\"headers\":{\"" + header + "\":\"" + value + "\"}}";

        using var response = await cluster.A.PostAsync("admin/functions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonDocument.Parse($"\"{field}\"").RootElement.GetString(), (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        using var stored = await cluster.B.GetAsync($"admin/functions/{name}");
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Fact]
    public async Task A_header_value_with_spaces_tabs_and_visible_ascii_is_accepted_and_sent()
    {
        const string value = "Bearer a.b-c_d~e+f/g=\t!#$%&'()*,:;<>?@[]^`{|}";
        var name = await cluster.RegisterAsync(new Dictionary<string, object?>
        {
            ["endpoint"] = cluster.Stub.Url("echo").ToString(),
            ["headers"] = new Dictionary<string, string> { ["X-Key"] = value },
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{name}") { Content = JsonContent.Create(new { payload = new { } }) };
        request.Headers.Add("X-Request-ID", "header-ok-" + name);
        using var invoked = await cluster.B.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.Equal(value, cluster.Stub.Calls["header-ok-" + name].Headers["X-Key"]);
    }
}
