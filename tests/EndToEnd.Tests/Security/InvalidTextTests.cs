using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// A body that is not text (invalid UTF-8 bytes, or an escaped lone surrogate that decodes to no character) is the
/// caller's mistake on every JSON endpoint: 400, never a 500. Functions and invocations on the open cluster, tokens and
/// MCP on the silo that issues them.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class InvalidTextTests(ClusterFixture cluster, SecuredSilo secured) : IClassFixture<SecuredSilo>
{
    // 0xC3 0x28 is a two-byte sequence whose second byte is not a continuation; 0xFF never occurs in UTF-8.
    private static readonly byte[] InvalidBytes = [0xC3, 0x28, 0xFF];

    public static TheoryData<string, string, string> Cases => new()
    {
        // method, path, body with {bad} where the invalid text goes
        { "POST", "admin/functions", """{"name":"fn-{bad}","endpoint":"http://127.0.0.1:9/x"}""" },
        { "POST", "admin/functions", """{"name":"f","endpoint":"http://127.0.0.1:9/x","description":"{bad}"}""" },
        { "PUT", "admin/functions/{existing}", """{"endpoint":"http://127.0.0.1:9/x","headers":{"X-Key":"{bad}"}}""" },
        { "POST", "invoke/{existing}", """{"payload":{"text":"{bad}"}}""" },
        { "POST", "invoke/{existing}", """{"client_id":"c-{bad}"}""" },
        { "POST", "admin/tokens", """{"client_id":"c-{bad}"}""" },
        { "POST", "admin/tokens", """{"client_id":"c","functions":["{bad}"]}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invalid_utf8_bytes_get_a_400_problem(string method, string path, string body)
    {
        var template = await WithExistingAsync(body);
        var at = template.IndexOf("{bad}", StringComparison.Ordinal);
        byte[] bytes = [.. Encoding.UTF8.GetBytes(template[..at]), .. InvalidBytes, .. Encoding.UTF8.GetBytes(template[(at + 5)..])];

        await AssertBadRequestAsync(method, path, bytes);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_escaped_lone_surrogate_gets_a_400_problem(string method, string path, string body)
    {
        var template = await WithExistingAsync(body);

        await AssertBadRequestAsync(method, path, Encoding.UTF8.GetBytes(template.Replace("{bad}", "a\\ud800b", StringComparison.Ordinal)));
        await AssertBadRequestAsync(method, path, Encoding.UTF8.GetBytes(template.Replace("{bad}", "\\udc00", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_surrogate_pair_and_an_escaped_backslash_before_u_are_ordinary_text()
    {
        using var response = await SendAsync("POST", "admin/functions", Encoding.UTF8.GetBytes(
            """{"name":"fn-pair-{id}","endpoint":"http://127.0.0.1:9/x","description":"\ud83d\ude00 and \\ud800"}"""
                .Replace("{id}", Guid.NewGuid().ToString("N")[..6], StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\U0001F600 and \\ud800", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString());
    }

    [Fact]
    public async Task An_mcp_message_with_invalid_text_gets_a_json_rpc_parse_error_not_a_500()
    {
        var token = secured.SignToken("mcp-text-" + Guid.NewGuid().ToString("N")[..6], DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"pi\ud800ng","params":{}}""")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await secured.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32700, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetInt32());
    }

    private string? _existing;

    private async Task<string> WithExistingAsync(string body)
    {
        if (_existing is null)
        {
            _existing = await cluster.RegisterAsync("echo");
        }

        return body;
    }

    private async Task AssertBadRequestAsync(string method, string path, byte[] body)
    {
        using var response = await SendAsync(method, path, body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendAsync(string method, string path, byte[] body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{existing}", _existing, StringComparison.Ordinal))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return (path.StartsWith("admin/tokens", StringComparison.Ordinal) ? secured.Admin : cluster.A).SendAsync(request);
    }
}
