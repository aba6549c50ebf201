using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>The official C# SDK client (ModelContextProtocol 2.4.0) through the two-silo cluster.</summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class CSharpClientTests(McpFixture mcp)
{
    /// <param name="protocolVersion">Null: the SDK's choice (2026-07-28 over Streamable HTTP); a 2025 revision for a session.</param>
    private static Task<McpClient> ConnectAsync(Uri url, HttpTransportMode mode, string? protocolVersion = null) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = url, TransportMode = mode }),
            new McpClientOptions { ProtocolVersion = protocolVersion });

    [Theory]
    [InlineData(HttpTransportMode.StreamableHttp)]
    [InlineData(HttpTransportMode.Sse)]
    public async Task Lists_and_calls_function_tools_and_the_remote_servers_tools(HttpTransportMode mode)
    {
        var echo = await mcp.RegisterToolAsync("echo", "echo");
        var url = mode == HttpTransportMode.Sse ? new Uri(mcp.SiloA.BaseAddress, "mcp/sse") : mcp.McpA;
        await using var client = await ConnectAsync(url, mode);

        var tools = await client.ListToolsAsync();
        Assert.Contains(tools, t => t.Name == echo);
        Assert.Contains(tools, t => t.Name == "echo"); // server-everything's own echo, not clashing with "echo-xxxx"

        var ours = await client.CallToolAsync(echo, new Dictionary<string, object?> { ["message"] = "from C#" });
        Assert.NotEqual(true, ours.IsError);
        Assert.Contains("from C#", Assert.IsType<TextContentBlock>(ours.Content[0]).Text, StringComparison.Ordinal);

        var theirs = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "through the layer" });
        Assert.Equal("Echo: through the layer", Assert.IsType<TextContentBlock>(theirs.Content[0]).Text);
    }

    [Fact]
    public async Task A_session_started_on_one_silo_is_resumed_on_the_other_without_a_new_handshake()
    {
        var echo = await mcp.RegisterToolAsync("echo", "echo");
        await using var first = await ConnectAsync(mcp.McpA, HttpTransportMode.StreamableHttp, protocolVersion: "2025-11-25");
        Assert.NotNull(first.SessionId);

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = mcp.McpB,
            TransportMode = HttpTransportMode.StreamableHttp,
            KnownSessionId = first.SessionId,
            OwnsSession = false,
        });
        await using var resumed = await McpClient.ResumeSessionAsync(transport, new ResumeClientSessionOptions
        {
            ServerCapabilities = first.ServerCapabilities,
            ServerInfo = first.ServerInfo!,
            NegotiatedProtocolVersion = first.NegotiatedProtocolVersion,
        });

        var result = await resumed.CallToolAsync(echo, new Dictionary<string, object?> { ["message"] = "second silo" });
        Assert.Contains("second silo", Assert.IsType<TextContentBlock>(result.Content[0]).Text, StringComparison.Ordinal);
        Assert.Equal(first.SessionId, resumed.SessionId);
    }

    [Fact]
    public async Task Structured_answers_of_a_function_with_an_output_schema_arrive_as_structuredContent()
    {
        var schema = new { type = "object", properties = new { payload = new { type = "object" } } };
        var echo = await mcp.RegisterToolAsync("echo", "structured", outputSchema: schema);
        await using var client = await ConnectAsync(mcp.McpB, HttpTransportMode.StreamableHttp);

        var tool = Assert.Single(await client.ListToolsAsync(), t => t.Name == echo);
        Assert.Equal("object", tool.ProtocolTool.OutputSchema!.Value.GetProperty("type").GetString());
        var result = await client.CallToolAsync(echo, new Dictionary<string, object?> { ["message"] = "structured" });
        var structured = Assert.IsType<JsonElement>(result.StructuredContent);
        Assert.Equal("structured", structured.GetProperty("payload").GetProperty("message").GetString());
    }
}
