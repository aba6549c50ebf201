using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using static SseVirtualization.TestInfrastructure.TsMcpClient;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// The layer as a transparent MCP proxy of the upstream fixture server (registered as <c>fixture</c>), seen by the
/// official TypeScript SDK client (1.32.2): server-to-client requests reach the client and its answers go back,
/// notifications (progress, logs, resource updates, list changes) reach only the session they belong to, and
/// cancellation and completions pass through.
/// </summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class TransparencyTests(McpFixture mcp)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_sampling_request_of_the_upstream_server_is_answered_by_the_client_and_the_answer_reaches_the_tool()
    {
        var answer = "sampled " + Unique();
        var prompt = "prompt " + Unique();
        await using var client = Start();
        await client.OkAsync(Command(
            "connect",
            ("url", mcp.McpA.ToString()),
            ("samplingResult", new { role = "assistant", content = new { type = "text", text = answer }, model = "test-model", stopReason = "endTurn" })));

        var call = await client.OkAsync(Command("callTool", ("name", "test_sampling"), ("arguments", new { prompt })), CallTimeout);

        Assert.Contains(answer, Text(call), StringComparison.Ordinal);
        var request = Assert.Single(await ServerRequestsAsync(client, "sampling/createMessage"));
        Assert.Equal(prompt, request.GetProperty("params").GetProperty("messages")[0].GetProperty("content").GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_elicitation_of_the_upstream_server_is_answered_by_the_client_and_the_content_reaches_the_tool()
    {
        var username = "user-" + Unique();
        var message = "message " + Unique();
        await using var client = Start();
        await client.OkAsync(Command(
            "connect",
            ("url", mcp.McpB.ToString()),
            ("elicitationResult", new { action = "accept", content = new { username, email = "someone@example.com" } })));

        var call = await client.OkAsync(Command("callTool", ("name", "test_elicitation"), ("arguments", new { message })), CallTimeout);

        var text = Text(call);
        Assert.Contains("accept", text, StringComparison.Ordinal);
        Assert.Contains(username, text, StringComparison.Ordinal);
        var request = Assert.Single(await ServerRequestsAsync(client, "elicitation/create"));
        Assert.Equal(message, request.GetProperty("params").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Time_a_person_takes_to_answer_an_elicitation_does_not_count_against_the_registrations_timeout()
    {
        // The same server under a 2 s timeout (its tools namespaced beside the fixture's), answered after 5 s.
        var registration = "fixture-brief-" + Unique();
        await mcp.RegisterAsync(new()
        {
            ["name"] = registration,
            ["kind"] = "mcp",
            ["endpoint"] = mcp.Fixture.McpUrl.ToString(),
            ["timeout"] = "2s",
        });
        try
        {
            var username = "patient-" + Unique();
            await using var client = Start();
            await client.OkAsync(Command(
                "connect",
                ("url", mcp.McpA.ToString()),
                ("elicitationResult", new { action = "accept", content = new { username, email = "someone@example.com" } }),
                ("elicitationDelayMs", 5000)));

            var call = await client.OkAsync(Command("callTool", ("name", $"{registration}.test_elicitation"), ("arguments", new { message = "take your time" })), CallTimeout);

            Assert.Contains(username, Text(call), StringComparison.Ordinal);
        }
        finally
        {
            // The fixture's tools must keep their plain names for the other tests of the collection.
            using var _ = await mcp.A.DeleteAsync($"admin/functions/{registration}");
        }
    }

    [Fact]
    public async Task The_upstream_server_lists_the_roots_the_client_declared()
    {
        var root = $"file:///tmp/root-{Unique()}";
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpA.ToString()), ("roots", new[] { new { uri = root, name = "test root" } })));

        var call = await client.OkAsync(Command("callTool", ("name", "fixture_roots"), ("arguments", new { })), CallTimeout);

        Assert.Contains(root, Text(call), StringComparison.Ordinal);
        Assert.NotEmpty(await ServerRequestsAsync(client, "roots/list"));
    }

    [Fact]
    public async Task Every_progress_notification_of_every_call_reaches_the_client_in_order_before_its_result()
    {
        // Two sessions, one per silo, ten calls each: 20 calls of 10 steps.
        await using var a = Start();
        await using var b = Start();
        await Task.WhenAll(
            a.OkAsync(Command("connect", ("url", mcp.McpA.ToString()))),
            b.OkAsync(Command("connect", ("url", mcp.McpB.ToString()))));

        await Task.WhenAll(CallTenTimesAsync(a), CallTenTimesAsync(b));

        static async Task CallTenTimesAsync(TsMcpClient client)
        {
            for (var i = 0; i < 10; i++)
            {
                var call = await client.OkAsync(
                    Command("callTool", ("name", "fixture_progress"), ("arguments", new { steps = 10 }), ("progress", true)),
                    CallTimeout);

                // The driver collects progress while the call runs: what it holds when the result arrives came before it.
                Assert.Equal("done 10", Text(call));
                var progress = call.GetProperty("progress").EnumerateArray().Select(p => p.GetProperty("progress").GetDouble()).ToList();
                Assert.True(
                    progress.SequenceEqual(Enumerable.Range(1, 10).Select(n => (double)n)),
                    $"call {i}: expected progress 1..10 before the result, got [{string.Join(", ", progress)}]");
            }
        }
    }

    [Fact]
    public async Task A_call_the_client_cancels_is_cancelled_on_the_upstream_server()
    {
        var tag = "cancel-" + Unique();
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpB.ToString())));
        // A first call sets up the session's way to the upstream, so the call below reaches it well within its second.
        var first = await client.OkAsync(Command("callTool", ("name", "test_simple_text"), ("arguments", new { })), CallTimeout);
        Assert.Contains("simple text", Text(first), StringComparison.Ordinal);

        var call = await client.SendAsync(
            Command("callTool", ("name", "fixture_wait"), ("arguments", new { ms = 5000, tag }), ("cancelAfterMs", 1000)),
            CallTimeout);
        Assert.False(call.GetProperty("ok").GetBoolean(), call.ToString());

        // The fixture records the call when it starts and completes the record when it ends (cancelled or not).
        var record = default(JsonElement);
        await Eventually.UntilAsync(
            async () =>
            {
                var calls = await mcp.Fixture.CallsAsync(tag);
                record = calls.GetArrayLength() > 0 ? calls[0] : default;
                return record.ValueKind == JsonValueKind.Object && record.GetProperty("elapsedMs").ValueKind == JsonValueKind.Number;
            },
            $"the fixture's call tagged {tag} to end",
            TimeSpan.FromSeconds(60));
        // It saw the client's cancellation (not the end of a session) before its 5 s were up.
        Assert.True(record.GetProperty("cancelled").GetBoolean(), record.ToString());
        Assert.Equal("notifications/cancelled", record.GetProperty("cancelledBy").GetString());
        Assert.True(record.GetProperty("elapsedMs").GetDouble() < 5000, record.ToString());
    }

    [Fact]
    public async Task The_upstream_servers_log_messages_reach_the_calling_session_before_the_result_and_no_other()
    {
        await using var caller = Start();
        await using var other = Start();
        await Task.WhenAll(
            caller.OkAsync(Command("connect", ("url", mcp.McpA.ToString()))),
            other.OkAsync(Command("connect", ("url", mcp.McpA.ToString()))));
        // Both sessions accept info, so only the routing can keep the caller's messages from the other.
        await Task.WhenAll(
            caller.OkAsync(Command("setLoggingLevel", ("level", "info"))),
            other.OkAsync(Command("setLoggingLevel", ("level", "info"))));

        await caller.OkAsync(Command("callTool", ("name", "fixture_log"), ("arguments", new { count = 3 })), CallTimeout);

        Assert.Equal(["log 1", "log 2", "log 3"], await LogDataAsync(caller));

        // The other session's own call is the barrier: it sees its own three messages, not the caller's as well.
        await other.OkAsync(Command("callTool", ("name", "fixture_log"), ("arguments", new { count = 3 })), CallTimeout);
        Assert.Equal(["log 1", "log 2", "log 3"], await LogDataAsync(other));
        Assert.Equal(["log 1", "log 2", "log 3"], await LogDataAsync(caller));
    }

    [Fact]
    public async Task A_subscribed_client_is_told_when_the_upstream_resource_is_updated()
    {
        const string uri = "test://static-text";
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpB.ToString())));
        await client.OkAsync(Command("subscribeResource", ("uri", uri)));

        await client.OkAsync(Command("callTool", ("name", "fixture_notify_resource"), ("arguments", new { uri })), CallTimeout);

        var updated = await client.OkAsync(
            Command("waitNotification", ("method", "notifications/resources/updated"), ("timeoutMs", 30000)),
            TimeSpan.FromSeconds(40));
        Assert.Equal(uri, updated.GetProperty("notification").GetProperty("params").GetProperty("uri").GetString());
        await client.OkAsync(Command("unsubscribeResource", ("uri", uri)));
    }

    [Fact]
    public async Task Completions_of_an_upstream_prompt_argument_come_from_the_upstream_server()
    {
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpA.ToString())));

        var reply = await client.OkAsync(Command(
            "complete",
            ("ref", new { type = "ref/prompt", name = "test_prompt_with_arguments" }),
            ("argument", new { name = "arg1", value = "par" })));

        var values = reply.GetProperty("result").GetProperty("completion").GetProperty("values").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(["paris", "park", "party"], values);
    }

    [Fact]
    public async Task A_tool_the_upstream_server_adds_can_be_called_at_once_and_is_listed_after_list_changed()
    {
        var name = "added_" + Unique();
        await using var client = Start();
        await client.OkAsync(Command("connect", ("url", mcp.McpA.ToString())));
        var before = (await client.OkAsync(Command("listTools"))).GetProperty("tools").EnumerateArray();
        Assert.DoesNotContain(before, t => t.GetProperty("name").GetString() == name);

        await client.OkAsync(Command("callTool", ("name", "fixture_add_tool"), ("arguments", new { name })), CallTimeout);

        // The layer does not know the name yet: it refreshes the upstream's list once instead of refusing it.
        var call = await client.OkAsync(Command("callTool", ("name", name), ("arguments", new { })), CallTimeout);
        Assert.Equal($"added {name}", Text(call));
        await client.OkAsync(
            Command("waitNotification", ("method", "notifications/tools/list_changed"), ("timeoutMs", 30000)),
            TimeSpan.FromSeconds(40));
        var after = (await client.OkAsync(Command("listTools"))).GetProperty("tools").EnumerateArray();
        Assert.Contains(after, t => t.GetProperty("name").GetString() == name);
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>The text of the first content block of a <c>callTool</c> reply's result, which must not be an error.</summary>
    private static string Text(JsonElement call)
    {
        var result = call.GetProperty("result");
        Assert.False(result.TryGetProperty("isError", out var isError) && isError.GetBoolean(), result.ToString());
        return result.GetProperty("content")[0].GetProperty("text").GetString() ?? "";
    }

    private static async Task<List<JsonElement>> ServerRequestsAsync(TsMcpClient client, string method) =>
        (await client.OkAsync(Command("serverRequests"))).GetProperty("serverRequests").EnumerateArray()
            .Where(r => r.GetProperty("method").GetString() == method)
            .ToList();

    private static async Task<List<string?>> LogDataAsync(TsMcpClient client) =>
        (await client.OkAsync(Command("notifications"))).GetProperty("notifications").EnumerateArray()
            .Where(n => n.GetProperty("method").GetString() == "notifications/message")
            .Select(n => n.GetProperty("params").GetProperty("data"))
            .Select(data => data.ValueKind == JsonValueKind.String ? data.GetString() : data.ToString())
            .ToList();
}
