using System.Net.Http.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.TestInfrastructure.TsMcpClient;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>server-everything registered as a remote MCP server: its tools, progress and a lost upstream session.</summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class RemoteServerTests(McpFixture mcp)
{
    [Fact]
    public async Task The_remote_servers_progress_reaches_the_TypeScript_client_before_the_result()
    {
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpB.ToString())));
        var tools = (await client.OkAsync(Command("listTools"))).GetProperty("tools").EnumerateArray();
        Assert.Contains(tools, t => t.GetProperty("name").GetString() == "trigger-long-running-operation");

        var call = await client.OkAsync(
            Command("callTool", ("name", "trigger-long-running-operation"), ("arguments", new { duration = 1, steps = 4 }), ("progress", true)),
            TimeSpan.FromSeconds(60));

        Assert.Contains("Long running operation completed", call.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var progress = call.GetProperty("progress").EnumerateArray().Select(p => p.GetProperty("progress").GetDouble()).ToList();
        Assert.True(progress.Count >= 2, $"expected progress notifications, got {call}");
        Assert.Equal(progress.Order().ToList(), progress);
    }

    [Fact]
    public async Task When_the_remote_server_forgets_its_sessions_the_layer_starts_a_new_one_unnoticed()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = mcp.McpA,
            TransportMode = HttpTransportMode.StreamableHttp,
        }));
        var before = await client.CallToolAsync("get-sum", new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 });
        Assert.Contains("5", Assert.IsType<TextContentBlock>(before.Content[0]).Text, StringComparison.Ordinal);

        await mcp.Everything.RestartAsync();

        var after = await client.CallToolAsync("get-sum", new Dictionary<string, object?> { ["a"] = 20, ["b"] = 22 });
        Assert.NotEqual(true, after.IsError);
        Assert.Contains("42", Assert.IsType<TextContentBlock>(after.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_name_offered_by_a_function_and_the_remote_server_is_namespaced_for_the_server()
    {
        // A function called "get-tiny-image" takes the plain name; the server's tool becomes everything.get-tiny-image.
        await mcp.RegisterAsync(new()
        {
            ["name"] = "get-tiny-image",
            ["endpoint"] = mcp.Stub.Url("echo").ToString(),
            ["input_schema"] = new { type = "object" },
        });
        try
        {
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpB }));
            var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
            Assert.Contains("get-tiny-image", names);
            Assert.Contains("everything.get-tiny-image", names);

            var image = await client.CallToolAsync("everything.get-tiny-image");
            Assert.Contains(image.Content, c => c is ImageContentBlock);
            var ours = await client.CallToolAsync("get-tiny-image");
            Assert.IsType<TextContentBlock>(ours.Content[0]);
        }
        finally
        {
            using var _ = await mcp.A.DeleteAsync("admin/functions/get-tiny-image");
        }
    }

    [Fact]
    public async Task An_unknown_tool_of_the_remote_server_is_a_protocol_error()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpA }));
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("everything.nothing-here").AsTask());
        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Fact]
    public async Task Invoking_an_mcp_server_registration_as_a_function_is_refused_with_the_reason()
    {
        using var response = await mcp.A.PostAsJsonAsync("invoke/everything", new { payload = new { } });

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("remote MCP server", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-11-25", -32002)]
    [InlineData("2026-07-28", -32602)] // the revision renumbered resource-not-found
    public async Task The_remote_servers_prompts_and_resources_pass_through(string protocolVersion, int notFound)
    {
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpB }),
            new McpClientOptions { ProtocolVersion = protocolVersion });

        var prompts = await client.ListPromptsAsync();
        Assert.Contains(prompts, p => p.Name == "args-prompt");
        var prompt = await client.GetPromptAsync("args-prompt", new Dictionary<string, object?> { ["city"] = "Lisbon" });
        Assert.Contains(prompt.Messages, m => m.Content is TextContentBlock text && text.Text.Contains("Lisbon", StringComparison.Ordinal));

        var resources = await client.ListResourcesAsync();
        var document = Assert.Single(resources, r => r.Uri.EndsWith("/architecture.md", StringComparison.Ordinal));
        var read = await client.ReadResourceAsync(document.Uri);
        Assert.Contains(read.Contents, c => c is TextResourceContents { Text.Length: > 0 });

        var missing = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("demo://no/such/resource").AsTask());
        Assert.Equal(notFound, (int)missing.ErrorCode);
    }
}
