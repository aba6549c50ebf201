using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>What a client declares is stored with its session and passed upstream: it is bounded, and beyond the bound refused.</summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class SessionBoundsTests(McpFixture mcp)
{
    /// <summary>Capabilities of about 20 KiB of JSON (real clients declare under 1 KiB).</summary>
    private static readonly Dictionary<string, object> Bloated = new() { ["experimental"] = new { padding = new string('x', 20_000) } };

    [Fact]
    public async Task An_initialize_with_bloated_capabilities_is_refused_and_starts_no_session()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "mcp")
        {
            Content = JsonContent.Create(new
            {
                jsonrpc = "2.0",
                id = 1,
                method = "initialize",
                @params = new { protocolVersion = "2025-11-25", capabilities = Bloated, clientInfo = new { name = "bloat", version = "1" } },
            }),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await mcp.A.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(-32602, error.GetProperty("code").GetInt32());
        Assert.Contains("capabilities", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_2026_request_with_bloated_capabilities_is_refused()
    {
        using var request = ModernMcpRequest.Create("tools/list", [], capabilities: Bloated);
        using var response = await mcp.A.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32602, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetInt32());
    }
}
