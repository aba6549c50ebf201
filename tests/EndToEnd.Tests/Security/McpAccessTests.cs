using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>MCP behind API keys and OAuth bearer tokens: discovery (RFC 9728), scopes per tool, sessions per caller.</summary>
public sealed class McpAccessTests(SecuredSilo silo) : IClassFixture<SecuredSilo>
{
    private Uri Mcp => new(silo.Silo.BaseAddress, "mcp");

    private static string Subject() => "mcp-user-" + Guid.NewGuid().ToString("N")[..8];

    /// <param name="protocolVersion">Null: the SDK's choice (2026-07-28, stateless); a 2025 revision for a session.</param>
    private Task<McpClient> ConnectAsync(string header, string value, string? protocolVersion = null) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = Mcp,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { [header] = value },
            }),
            new McpClientOptions { ProtocolVersion = protocolVersion });

    private async Task<string> RegisterToolAsync()
    {
        var name = "mcp-tool-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = silo.Client(SecuredSilo.AdminKey);
        using var response = await admin.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = name,
            ["endpoint"] = silo.Stub.Url("echo").ToString(),
            ["input_schema"] = new { type = "object" },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    [Fact]
    public async Task An_anonymous_client_is_pointed_at_the_protected_resource_metadata()
    {
        using var anonymous = silo.Client(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "initialize", @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "t", version = "1" } } }),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var refused = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var challenge = refused.Headers.WwwAuthenticate.ToString();
        Assert.Contains("resource_metadata=\"", challenge, StringComparison.Ordinal);
        var metadataUrl = challenge.Split("resource_metadata=\"")[1].Split('"')[0];
        Assert.EndsWith("/.well-known/oauth-protected-resource/mcp", metadataUrl, StringComparison.Ordinal);

        using var metadata = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri(metadataUrl)));
        Assert.Equal(Mcp.ToString(), metadata.RootElement.GetProperty("resource").GetString());
        Assert.Contains(metadata.RootElement.GetProperty("authorization_servers").EnumerateArray(), s => s.GetString() == SecuredSilo.Issuer);
        Assert.Contains(metadata.RootElement.GetProperty("scopes_supported").EnumerateArray(), s => s.GetString() == "mcp");
    }

    [Fact]
    public async Task A_token_issued_with_scope_mcp_lists_and_calls_every_tool()
    {
        var tool = await RegisterToolAsync();
        using var issued = await silo.Admin.PostAsJsonAsync("admin/tokens", new { client_id = Subject(), scopes = new[] { "mcp" } });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var token = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        await using var client = await ConnectAsync("Authorization", "Bearer " + token);

        Assert.Contains(await client.ListToolsAsync(), t => t.Name == tool);
        Assert.NotEqual(true, (await client.CallToolAsync(tool, new Dictionary<string, object?> { ["q"] = "ok" })).IsError);
    }

    [Fact]
    public async Task A_token_without_the_mcp_scope_is_refused()
    {
        var token = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: "stream");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("Authorization", "Bearer " + token));

        Assert.Contains("403", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_calls_only_the_tools_its_scope_names()
    {
        var allowed = await RegisterToolAsync();
        var other = await RegisterToolAsync();
        var token = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: $"invoke:{allowed}");
        await using var client = await ConnectAsync("Authorization", "Bearer " + token);

        var result = await client.CallToolAsync(allowed, new Dictionary<string, object?> { ["q"] = "ok" });
        Assert.NotEqual(true, result.IsError);
        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync(other).AsTask());
        Assert.Contains($"invoke:{other}", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-11-25")]
    [InlineData(null)] // 2026-07-28, stateless
    public async Task Tools_list_shows_a_token_only_the_tools_its_scope_names(string? protocolVersion)
    {
        var allowed = await RegisterToolAsync();
        var other = await RegisterToolAsync();
        var token = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: $"invoke:{allowed}");
        await using var client = await ConnectAsync("Authorization", "Bearer " + token, protocolVersion);

        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();

        Assert.Equal([allowed], names);
        Assert.DoesNotContain(other, names);
    }

    [Fact]
    public async Task A_narrower_token_on_the_same_session_sees_only_its_own_tools()
    {
        var allowed = await RegisterToolAsync();
        var other = await RegisterToolAsync();
        var subject = Subject();
        var wide = silo.SignToken(subject, DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");
        await using var client = await ConnectAsync("Authorization", "Bearer " + wide, protocolVersion: "2025-11-25");
        var all = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains(other, all);

        // The same subject (so the same owner of the session) with a token scoped to one tool.
        var narrow = silo.SignToken(subject, DateTimeOffset.UtcNow.AddMinutes(5), scope: $"invoke:{allowed}");
        using var http = silo.Client(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 7, method = "tools/list" }),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", client.SessionId);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", narrow);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonAnswer(await response.Content.ReadAsStringAsync());

        var names = answer.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal([allowed], names);
    }

    /// <summary>The JSON-RPC answer of a POST, whether it came as JSON or as one SSE message.</summary>
    private static JsonElement JsonAnswer(string body)
    {
        var json = body.TrimStart().StartsWith('{')
            ? body
            : body.Split('\n').Last(line => line.StartsWith("data:", StringComparison.Ordinal))["data:".Length..];
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [Fact]
    public async Task A_tools_rate_limit_refuses_a_caller_beyond_it_and_leaves_other_callers_and_tools_alone()
    {
        var limited = "mcp-limited-" + Guid.NewGuid().ToString("N")[..8];
        using (var registered = await silo.Admin.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = limited,
            ["endpoint"] = silo.Stub.Url("echo").ToString(),
            ["input_schema"] = new { type = "object" },
            ["tool_rate_limit"] = new { permits = 2, window = "1m" },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        var unlimited = await RegisterToolAsync();
        var token = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");
        await using var client = await ConnectAsync("Authorization", "Bearer " + token);

        for (var i = 0; i < 2; i++)
        {
            Assert.NotEqual(true, (await client.CallToolAsync(limited)).IsError);
        }

        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync(limited).AsTask());
        Assert.Equal(-32000, (int)refused.ErrorCode);
        Assert.Contains("tool_rate_limit", refused.Message, StringComparison.Ordinal);

        // The same caller's other tool, and another caller's call of this one, are not counted against it.
        Assert.NotEqual(true, (await client.CallToolAsync(unlimited)).IsError);
        var other = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");
        await using var otherClient = await ConnectAsync("Authorization", "Bearer " + other, protocolVersion: "2025-11-25");
        Assert.NotEqual(true, (await otherClient.CallToolAsync(limited)).IsError);
    }

    [Fact]
    public async Task A_tool_rate_limit_is_checked_when_registering()
    {
        using var noWindow = await silo.Admin.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = "mcp-bad-limit-" + Guid.NewGuid().ToString("N")[..8],
            ["endpoint"] = silo.Stub.Url("echo").ToString(),
            ["tool_rate_limit"] = new { permits = 0, window = "1s" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, noWindow.StatusCode);
        Assert.Equal("tool_rate_limit.permits", (await noWindow.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_session_belongs_to_whoever_opened_it()
    {
        var token = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");
        await using var owner = await ConnectAsync("Authorization", "Bearer " + token, protocolVersion: "2025-11-25");
        await owner.PingAsync();

        // A service key (allowed to use MCP) presenting the owner's session id is told the session does not exist.
        using var service = silo.Client(SecuredSilo.ServiceKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 9, method = "tools/list" }),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", owner.SessionId);
        using var response = await service.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await owner.PingAsync(); // and the owner's session is untouched
    }

    [Fact]
    public async Task A_task_is_read_only_by_whoever_started_it_and_reports_only_to_its_own_client()
    {
        var tool = await RegisterToolAsync();
        var owner = Subject();
        var ownerToken = silo.SignToken(owner, DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");
        var otherToken = silo.SignToken(Subject(), DateTimeOffset.UtcNow.AddMinutes(5), scope: "mcp");

        // A token may not aim a task's result at another client's stream.
        var aimed = await TaskRequestAsync(ownerToken, "tools/call", new Dictionary<string, object>
        {
            ["name"] = tool,
            ["arguments"] = new { },
            ["_meta"] = new Dictionary<string, object> { ["clientId"] = "someone-else" },
        });
        Assert.Equal(-32602, aimed.GetProperty("error").GetProperty("code").GetInt32());

        var created = await TaskRequestAsync(ownerToken, "tools/call", new Dictionary<string, object> { ["name"] = tool, ["arguments"] = new { } });
        var taskId = created.GetProperty("result").GetProperty("taskId").GetString()!;
        await Eventually.UntilAsync(
            async () => (await TaskRequestAsync(ownerToken, "tasks/get", new Dictionary<string, object> { ["taskId"] = taskId }))
                .GetProperty("result").GetProperty("status").GetString() == "completed",
            "the owner's task to complete");

        var stranger = await TaskRequestAsync(otherToken, "tasks/get", new Dictionary<string, object> { ["taskId"] = taskId });
        Assert.Equal(-32602, stranger.GetProperty("error").GetProperty("code").GetInt32());
    }

    /// <summary>A 2026-07-28 request of a client that declares the tasks extension; the whole answer.</summary>
    private async Task<JsonElement> TaskRequestAsync(string token, string method, Dictionary<string, object> parameters)
    {
        using var http = silo.Client(apiKey: null);
        using var request = ModernMcpRequest.Create(method, parameters, ModernMcpRequest.TasksCapabilities);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
