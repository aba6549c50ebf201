using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Functions;

/// <summary>Every kind of bad input gets a problem+json answer with the right status, and changes nothing stored.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class BadInputTests(ClusterFixture cluster)
{
    public static TheoryData<string, string, string, int> Cases => new()
    {
        // method, path, body, expected status
        { "POST", "admin/functions", "{\"name\":\"x\",", 400 },
        { "POST", "admin/functions", "[1,2]", 400 },
        { "POST", "admin/functions", "", 400 },
        { "POST", "admin/functions", "{\"endpoint\":\"http://127.0.0.1:1/\"}", 400 },
        { "POST", "admin/functions", "{\"name\":42,\"endpoint\":\"http://127.0.0.1:1/\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"has space\",\"endpoint\":\"http://127.0.0.1:1/\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"" + new string('a', 65) + "\",\"endpoint\":\"http://127.0.0.1:1/\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"/relative\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"ftp://127.0.0.1/x\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"timeout\":\"soon\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"timeout\":\"16m\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"timeout\":true}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"method\":\"BREW\"}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"headers\":{\"X\":1}}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"headers\":[\"X\"]}", 400 },
        { "PUT", "admin/functions/bad%20name", "{\"endpoint\":\"http://127.0.0.1:1/\"}", 400 },
        { "PUT", "admin/functions/never-registered", "{\"endpoint\":\"http://127.0.0.1:1/\"}", 404 },
        { "PUT", "admin/functions/{existing}", "{\"name\":\"other\",\"endpoint\":\"http://127.0.0.1:1/\"}", 400 },
        { "PUT", "admin/functions/{existing}", "{\"endpoint\":\"not a url\"}", 400 },
        { "GET", "admin/functions/never-registered", "", 404 },
        { "DELETE", "admin/functions/never-registered", "", 404 },
        { "POST", "invoke/never-registered", "{}", 404 },
        { "POST", "invoke/bad%20name", "{}", 400 },
        { "POST", "invoke/{existing}", "{\"payload\":", 400 },
        { "POST", "invoke/{existing}", "{\"client_id\":\"bad id!\"}", 400 },
        { "POST", "invoke/{existing}", "{\"client_id\":7}", 400 },
        { "POST", "invoke/{existing}", "{\"async\":true}", 400 },
        { "POST", "invoke/{existing}", "{\"async\":\"yes\",\"client_id\":\"c\"}", 400 },
        { "POST", "invoke/{existing}", "{\"timeout\":-1}", 400 },
        { "POST", "invoke/{existing}", "{\"timeout\":100000}", 400 },
        { "POST", "invoke/{existing}", "{\"timeout\":-1e300}", 400 },
        { "POST", "invoke/{existing}", "{\"timeout\":1e300}", 400 },
        { "GET", "sse/bad%20client!", "", 400 },
        { "GET", "sse/" + new string('c', 129), "", 400 },
        // Hostile shapes: nesting past the parser's depth limit, control characters and path tricks in ids.
        { "POST", "admin/functions", new string('[', 10_000) + new string(']', 10_000), 400 },
        { "POST", "invoke/{existing}", "{\"payload\":" + new string('[', 500) + new string(']', 500) + "}", 400 },
        { "POST", "invoke/{existing}", "{\"stream\":true}", 400 },
        { "GET", "sse/a%0D%0Ab", "", 400 },
        { "GET", "admin/functions/..%2F..%2Fetc", "", 400 },
        { "POST", "invoke/..%2Fadmin", "{}", 400 },
        { "POST", "admin/functions", "{\"name\":\"ok-name\",\"endpoint\":\"http://127.0.0.1:1/\",\"headers\":{\"X-Evil\":\"a\\r\\nInjected: yes\"}}", 400 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_problem_answer_and_changes_nothing(string method, string path, string body, int expected)
    {
        var existing = await ExistingFunctionAsync();
        var before = await SnapshotAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{existing}", existing, StringComparison.Ordinal));
        if (body.Length > 0 || method is "POST" or "PUT")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await cluster.A.SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        var text = problem.ToString();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Body_over_the_limit_gets_413_and_changes_nothing()
    {
        var existing = await ExistingFunctionAsync();
        var before = await SnapshotAsync();
        var huge = "{\"name\":\"huge\",\"endpoint\":\"http://127.0.0.1:1/\",\"description\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";

        using var response = await cluster.A.PostAsync("admin/functions", new StringContent(huge, Encoding.UTF8, "application/json"));
        using var invoke = await cluster.B.PostAsync($"invoke/{existing}", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, invoke.StatusCode);
        Assert.Equal(before, await SnapshotAsync());
    }

    private string? _existing;

    private async Task<string> ExistingFunctionAsync() => _existing ??= await cluster.RegisterAsync("echo");

    /// <summary>Everything stored about functions, as JSON text (header values are never shown, so names stand in).</summary>
    private async Task<string> SnapshotAsync() => await cluster.B.GetStringAsync("admin/functions");
}
