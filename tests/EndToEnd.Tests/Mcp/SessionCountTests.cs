using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using StackExchange.Redis;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>One owner cannot fill storage with MCP sessions: beyond Mcp:MaxSessionsPerOwner live ones, a new one is refused.</summary>
public sealed class SessionCountTests(SessionCountSilo cluster) : IClassFixture<SessionCountSilo>
{
    private const int Bound = SessionCountSilo.MaxSessionsPerOwner;

    [Fact]
    public async Task The_initialize_beyond_the_bound_is_refused_until_a_session_is_deleted_even_after_a_restart()
    {
        var token = cluster.NewOwnerToken();
        var sessions = new List<string>();
        for (var i = 0; i < Bound; i++)
        {
            using var started = await InitializeAsync(token);
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
            sessions.Add(started.Headers.GetValues("Mcp-Session-Id").Single());
        }

        var stored = await StoredSessionsAsync();
        for (var i = 0; i < 5; i++)
        {
            using var refused = await InitializeAsync(token);
            await AssertRefusedAsync(refused);
        }

        Assert.Equal(stored, await StoredSessionsAsync()); // refused sessions store nothing

        // The count is stored: a new silo on the same Redis still refuses.
        await cluster.RestartAsync();
        using (var refused = await InitializeAsync(token))
        {
            await AssertRefusedAsync(refused);
        }

        using (var http = cluster.Client(token))
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "mcp"))
        {
            delete.Headers.Add("Mcp-Session-Id", sessions[0]);
            using var ended = await http.SendAsync(delete);
            Assert.True(ended.IsSuccessStatusCode, $"DELETE answered {(int)ended.StatusCode}");
        }

        using (var another = await InitializeAsync(token))
        {
            Assert.Equal(HttpStatusCode.OK, another.StatusCode);
        }

        using (var oneTooMany = await InitializeAsync(token))
        {
            await AssertRefusedAsync(oneTooMany);
        }

        Assert.Equal(stored, await StoredSessionsAsync());
    }

    [Fact]
    public async Task Clients_of_2026_count_against_the_same_bound_and_a_known_client_goes_on()
    {
        var token = cluster.NewOwnerToken();
        for (var i = 0; i < Bound; i++)
        {
            using var listed = await ModernAsync(token, clientName: $"client-{i}");
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        // A client naming itself anew would be a new session kept for it: refused.
        using (var renamed = await ModernAsync(token, clientName: "client-new"))
        {
            await AssertRefusedAsync(renamed);
        }

        using (var initialize = await InitializeAsync(token))
        {
            await AssertRefusedAsync(initialize);
        }

        // A client the layer already keeps a session for is not new.
        using var known = await ModernAsync(token, clientName: "client-0");
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }

    private async Task<HttpResponseMessage> InitializeAsync(string token)
    {
        using var http = cluster.Client(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = JsonContent.Create(new
            {
                jsonrpc = "2.0",
                id = 1,
                method = "initialize",
                @params = new { protocolVersion = "2025-11-25", capabilities = new { }, clientInfo = new { name = "counted", version = "1" } },
            }),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        return await http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> ModernAsync(string token, string clientName)
    {
        using var http = cluster.Client(token);
        using var request = ModernMcpRequest.Create("tools/list", new Dictionary<string, object>
        {
            ["_meta"] = new Dictionary<string, object> { ["io.modelcontextprotocol/clientInfo"] = new { name = clientName, version = "1" } },
        });
        return await http.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(-32000, error.GetProperty("code").GetInt32());
        Assert.Contains("Mcp:MaxSessionsPerOwner", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>How many MCP session records Redis holds.</summary>
    private async Task<int> StoredSessionsAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Address);
        var count = 0;
        await foreach (var _ in redis.GetServer(redis.GetEndPoints()[0]).KeysAsync(pattern: "*/mcp-session"))
        {
            count++;
        }

        return count;
    }
}
