using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.TestInfrastructure.TsMcpClient;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>The official TypeScript SDK client (1.32.2), both transports, through the two-silo cluster.</summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class TypeScriptClientTests(McpFixture mcp)
{
    [Theory]
    [InlineData("streamable")]
    [InlineData("sse")]
    public async Task Functions_with_an_input_schema_are_tools_that_the_client_lists_and_calls(string transport)
    {
        var echo = await mcp.RegisterToolAsync("echo", "echo");
        await using var client = Start();
        var url = transport == "sse" ? new Uri(mcp.SiloB.BaseAddress, "mcp/sse") : mcp.McpB;
        await client.OkAsync(Command("connect", ("url", url.ToString()), ("transport", transport)));

        var tools = (await client.OkAsync(Command("listTools"))).GetProperty("tools").EnumerateArray().ToList();
        var tool = Assert.Single(tools, t => t.GetProperty("name").GetString() == echo);
        Assert.Equal("object", tool.GetProperty("inputSchema").GetProperty("type").GetString());
        Assert.Equal("Test tool on echo", tool.GetProperty("description").GetString());

        var call = await client.OkAsync(Command("callTool", ("name", echo), ("arguments", new { message = "hello from TypeScript" })));
        var result = call.GetProperty("result");
        Assert.False(result.TryGetProperty("isError", out var isError) && isError.GetBoolean(), result.ToString());
        // The stub echoes the body it received: the tool's arguments reached the function as its payload.
        Assert.Contains("hello from TypeScript", result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_function_is_a_tool_result_with_isError_and_an_unknown_tool_a_protocol_error()
    {
        var failing = await mcp.RegisterToolAsync("status/500", "failing");
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpA.ToString())));

        var failed = (await client.OkAsync(Command("callTool", ("name", failing), ("arguments", new { })))).GetProperty("result");
        Assert.True(failed.GetProperty("isError").GetBoolean());
        Assert.Contains("500", failed.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        var unknown = await client.SendAsync(Command("callTool", ("name", "no-such-tool-" + Guid.NewGuid().ToString("N")[..6]), ("arguments", new { })));
        Assert.False(unknown.GetProperty("ok").GetBoolean());
        Assert.Equal(-32602, unknown.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_session_initialized_through_one_silo_continues_through_the_other()
    {
        var echo = await mcp.RegisterToolAsync("echo", "echo");
        await using var first = Start();
        var sessionId = (await first.OkAsync(Command("connect", ("url", mcp.McpA.ToString())))).GetProperty("sessionId").GetString();

        await using var second = Start();
        await second.OkAsync(Command("connect", ("url", mcp.McpB.ToString()), ("sessionId", sessionId), ("protocolVersion", "2025-11-25")));
        var call = await second.OkAsync(Command("callTool", ("name", echo), ("arguments", new { message = "via B" })));
        Assert.Contains("via B", call.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        // Ending the session on B ends it everywhere: A no longer knows it.
        await second.OkAsync(Command("close"));
        var afterEnd = await first.SendAsync(Command("ping"));
        Assert.False(afterEnd.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_call_that_outlives_its_stream_is_resumed_with_Last_Event_ID_and_answered()
    {
        // The function takes longer than Mcp:PollAfter: the POST stream closes, the SDK reconnects by GET.
        var slow = await mcp.RegisterToolAsync("slow/3000", "slow");
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpA.ToString())));

        var call = await client.OkAsync(Command("callTool", ("name", slow), ("arguments", new { message = "patience" })));
        Assert.False(call.GetProperty("result").GetProperty("isError").GetBoolean(), call.ToString());
        var requests = (await client.OkAsync(Command("getRequests"))).GetProperty("getRequests").EnumerateArray().ToList();
        Assert.Contains(requests, r => r.TryGetProperty("lastEventId", out var id) && id.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task Registering_a_tool_tells_open_sessions_that_the_list_changed_even_after_a_dropped_stream()
    {
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpA.ToString())));
        await Eventually.UntilAsync(
            async () => (await client.OkAsync(Command("getRequests"))).GetProperty("getRequests").EnumerateArray()
                .Any(r => r.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number && status.GetInt32() == 200),
            "the standalone GET stream is open");
        await client.OkAsync(Command("dropStream"));

        var added = await mcp.RegisterToolAsync("echo", "added");

        await client.OkAsync(Command("waitNotification", ("method", "notifications/tools/list_changed"), ("timeoutMs", 30000)), TimeSpan.FromSeconds(40));
        var tools = (await client.OkAsync(Command("listTools"))).GetProperty("tools").EnumerateArray();
        Assert.Contains(tools, t => t.GetProperty("name").GetString() == added);
    }
}
