using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>A remote MCP server's registration chooses which of its tools clients see, and under what names.</summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class ToolShapingTests(McpFixture mcp)
{
    [Fact]
    public async Task Excluded_tools_are_neither_listed_nor_callable_and_renamed_ones_are_called_by_their_new_name()
    {
        // server-everything once more, offering get-sum as "add-…" and nothing else (echo is included, then excluded).
        var registration = "shaped-" + Guid.NewGuid().ToString("N")[..8];
        var shownName = "add-" + Guid.NewGuid().ToString("N")[..8];
        await mcp.RegisterAsync(new()
        {
            ["name"] = registration,
            ["kind"] = "mcp",
            ["endpoint"] = mcp.Everything.McpUrl.ToString(),
            ["tools"] = new Dictionary<string, object>
            {
                ["include"] = new[] { "get-sum", "echo" },
                ["exclude"] = new[] { "echo" },
                ["rename"] = new Dictionary<string, string> { ["get-sum"] = shownName },
            },
        });
        try
        {
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpA }));
            var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();

            Assert.Contains(shownName, names);
            // Nothing else of the shaped registration, so nothing clashes with the "everything" registration's tools.
            Assert.DoesNotContain(names, n => n.StartsWith(registration + ".", StringComparison.Ordinal));
            Assert.Contains("echo", names);
            Assert.Contains("get-sum", names);

            var sum = await client.CallToolAsync(shownName, new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 });
            Assert.NotEqual(true, sum.IsError);
            Assert.Contains("5", Assert.IsType<TextContentBlock>(sum.Content[0]).Text, StringComparison.Ordinal);

            var excluded = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync(registration + ".echo", new Dictionary<string, object?> { ["message"] = "hi" }).AsTask());
            Assert.Equal(McpErrorCode.InvalidParams, excluded.ErrorCode);
            Assert.Contains("Unknown tool", excluded.Message, StringComparison.Ordinal);
            var oldName = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync(registration + ".get-sum").AsTask());
            Assert.Contains("Unknown tool", oldName.Message, StringComparison.Ordinal);
        }
        finally
        {
            using var _ = await mcp.A.DeleteAsync($"admin/functions/{registration}");
        }
    }

    [Fact]
    public async Task Tool_shaping_is_checked_when_registering()
    {
        using var onFunction = await mcp.A.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = "fn-" + Guid.NewGuid().ToString("N")[..8],
            ["endpoint"] = mcp.Stub.Url("echo").ToString(),
            ["tools"] = new { exclude = new[] { "x" } },
        });
        using var unknownPart = await mcp.A.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = "srv-" + Guid.NewGuid().ToString("N")[..8],
            ["kind"] = "mcp",
            ["endpoint"] = mcp.Everything.McpUrl.ToString(),
            ["tools"] = new { hide = new[] { "echo" } },
        });
        using var twoAsOne = await mcp.A.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = "srv-" + Guid.NewGuid().ToString("N")[..8],
            ["kind"] = "mcp",
            ["endpoint"] = mcp.Everything.McpUrl.ToString(),
            ["tools"] = new { rename = new Dictionary<string, string> { ["echo"] = "same", ["get-sum"] = "same" } },
        });

        foreach (var refused in new[] { onFunction, unknownPart, twoAsOne })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("tools", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
    }
}
