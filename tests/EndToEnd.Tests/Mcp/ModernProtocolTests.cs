using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// MCP 2026-07-28 at <c>/mcp</c> beside the 2025 revisions: the official C# (2.4.0) and TypeScript
/// (<c>@modelcontextprotocol/client</c> 2.4.0) clients, pinned to it or left to choose, list and call the tools of a
/// function and of a remote MCP server (which speaks 2025-11-25) without a wasted request.
/// </summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class ModernProtocolTests(McpFixture mcp)
{
    private const string Modern = "2026-07-28";

    [Fact]
    public async Task The_CSharp_client_pinned_to_2026_07_28_lists_and_calls_tools_of_a_function_and_of_a_remote_server()
    {
        var echo = await mcp.RegisterToolAsync("echo", "echo");
        // Every progress notification as it arrives. The SDK runs notification handlers concurrently with the response
        // and forgets a call's IProgress when its result is in, so a late handler can miss the last one: this one stays.
        var arrived = new List<float>();
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpA }),
            new McpClientOptions
            {
                ProtocolVersion = Modern,
                Handlers = new McpClientHandlers
                {
                    NotificationHandlers =
                    [
                        new(NotificationMethods.ProgressNotification, (notification, _) =>
                        {
                            lock (arrived)
                            {
                                arrived.Add(notification.Params!["progress"]!.GetValue<float>());
                            }

                            return ValueTask.CompletedTask;
                        }),
                    ],
                },
            });

        Assert.Equal(Modern, client.NegotiatedProtocolVersion);
        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains(echo, names);
        Assert.Contains("test_simple_text", names);

        var ours = await client.CallToolAsync(echo, new Dictionary<string, object?> { ["message"] = "from 2026" });
        Assert.Contains("from 2026", Assert.IsType<TextContentBlock>(ours.Content[0]).Text, StringComparison.Ordinal);
        var progress = new List<ProgressNotificationValue>();
        var theirs = await client.CallToolAsync(
            "fixture_progress", new Dictionary<string, object?> { ["steps"] = 4, ["delayMs"] = 10 }, new SynchronousProgress(progress));
        Assert.Equal("done 4", Assert.IsType<TextContentBlock>(theirs.Content[0]).Text);
        await Eventually.UntilAsync(
            () =>
            {
                lock (arrived)
                {
                    return Task.FromResult(arrived.Count >= 4);
                }
            },
            "four progress notifications",
            TimeSpan.FromSeconds(30));
        Assert.Equal([1f, 2f, 3f, 4f], arrived.Order()); // their order on the wire is the TypeScript tests' (the SDK's handlers race)
    }

    [Fact]
    public async Task The_CSharp_client_left_to_choose_speaks_2026_07_28_from_its_first_request()
    {
        var sent = new List<string>();
        using var http = new HttpClient(new RecordingHandler(sent));
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpB }, http));
        await client.ListToolsAsync();

        Assert.Equal(Modern, client.NegotiatedProtocolVersion);
        Assert.Equal("server/discover", sent[0]);
        Assert.DoesNotContain("initialize", sent);
    }

    [Theory]
    [InlineData("pin")]
    [InlineData("auto")]
    public async Task The_TypeScript_client_speaks_2026_07_28_and_calls_tools_of_a_function_and_of_a_remote_server(string mode)
    {
        var echo = await mcp.RegisterToolAsync("echo", "echo");
        var run = await ModernClientAsync(mcp.McpB, mode, "--call", echo, """{"message":"from TypeScript 2.4"}""", "--call", "fixture_progress", """{"steps":5,"delayMs":10}""", "--progress");

        Assert.False(run.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal(Modern, run.GetProperty("protocolVersion").GetString());
        var requests = run.GetProperty("requests").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.StartsWith("POST server/discover 200", requests[0], StringComparison.Ordinal);
        Assert.DoesNotContain(requests, r => r.Contains("initialize", StringComparison.Ordinal));
        var calls = run.GetProperty("calls");
        Assert.Contains("from TypeScript 2.4", calls[0].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("done 5", calls[1].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal([1, 2, 3, 4, 5], calls[1].GetProperty("progress").EnumerateArray().Select(p => p.GetProperty("progress").GetInt32()));
    }

    [Fact]
    public async Task A_2025_client_reaches_a_server_that_speaks_only_2026_07_28_and_answers_its_elicitation()
    {
        await using var client = TsMcpClient.Start(); // the TypeScript SDK 1.32.2: 2025-11-25 at most
        await client.OkAsync(TsMcpClient.Command(
            "connect",
            ("url", mcp.McpA.ToString()),
            ("elicitationResult", new { action = "accept", content = new { ok = true } })));

        var echo = await client.OkAsync(TsMcpClient.Command("callTool", ("name", "modern_echo"), ("arguments", new { text = "from 2025" })));
        Assert.Equal("modern: from 2025", echo.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        // The server asks for input the 2026 way (a result that requires it); the client is asked the 2025 way.
        var confirm = await client.OkAsync(TsMcpClient.Command("callTool", ("name", "modern_confirm"), ("arguments", new { env = "prod" })));
        Assert.Equal("deployed prod", confirm.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        var asked = (await client.OkAsync(TsMcpClient.Command("serverRequests"))).GetProperty("serverRequests");
        Assert.Equal("Deploy prod?", Assert.Single(asked.EnumerateArray(), r => r.GetProperty("method").GetString() == "elicitation/create").GetProperty("params").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_2026_client_reaches_a_server_that_speaks_only_2026_07_28()
    {
        var run = await ModernClientAsync(mcp.McpA, "pin", "--call", "modern_echo", """{"text":"from 2026"}""");

        Assert.False(run.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal("modern: from 2026", run.GetProperty("calls")[0].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_2026_client_answers_a_2025_servers_elicitation_in_a_second_round_of_its_call()
    {
        var username = "round-" + Guid.NewGuid().ToString("N")[..8];
        var asked = new List<string?>();
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = mcp.McpB }),
            new McpClientOptions
            {
                ProtocolVersion = Modern,
                Handlers = new McpClientHandlers
                {
                    ElicitationHandler = (request, _) =>
                    {
                        asked.Add(request?.Message);
                        return ValueTask.FromResult(new ElicitResult
                        {
                            Action = "accept",
                            Content = new Dictionary<string, JsonElement>
                            {
                                ["username"] = JsonSerializer.SerializeToElement(username),
                                ["email"] = JsonSerializer.SerializeToElement("someone@example.com"),
                            },
                        });
                    },
                },
            });

        // The fixture (TypeScript SDK 1.32.2, a 2025 server) asks by elicitation/create in the middle of the call; the
        // 2026 client is asked by a result that requires input, and its next round carries the answer back.
        var result = await client.CallToolAsync("test_elicitation", new Dictionary<string, object?> { ["message"] = "who are you?" });

        Assert.Equal(["who are you?"], asked);
        Assert.Contains(username, Assert.IsType<TextContentBlock>(result.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_version_is_refused_with_the_versions_this_server_speaks()
    {
        using var request = ModernRequest("tools/list", "2027-01-01");
        using var response = await mcp.A.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(-32022, error.GetProperty("code").GetInt32());
        var supported = error.GetProperty("data").GetProperty("supported").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains(Modern, supported);
        Assert.Contains("2025-11-25", supported);
        Assert.Equal("2027-01-01", error.GetProperty("data").GetProperty("requested").GetString());
    }

    [Fact]
    public async Task A_listener_on_one_silo_hears_that_the_tools_changed_when_a_function_is_registered_on_the_other()
    {
        using var http = new HttpClient { BaseAddress = mcp.SiloB.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var listen = ModernRequest("subscriptions/listen", Modern, """{"toolsListChanged":true}""");
        using var response = await http.SendAsync(listen, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var acknowledged = await NextMessageAsync(reader);
        Assert.Equal("notifications/subscriptions/acknowledged", acknowledged.GetProperty("method").GetString());
        Assert.True(acknowledged.GetProperty("params").GetProperty("notifications").GetProperty("toolsListChanged").GetBoolean());

        await mcp.RegisterToolAsync("echo", "listened");
        var changed = await NextMessageAsync(reader);
        Assert.Equal("notifications/tools/list_changed", changed.GetProperty("method").GetString());
        Assert.Equal("listen-1", changed.GetProperty("params").GetProperty("_meta").GetProperty("io.modelcontextprotocol/subscriptionId").GetString());
    }

    private static HttpRequestMessage ModernRequest(string method, string version, string? filter = null) =>
        ModernMcpRequest.Create(
            method,
            filter is null ? [] : new Dictionary<string, object> { ["notifications"] = JsonDocument.Parse(filter).RootElement },
            version: version,
            id: "listen-1");

    /// <summary>The next JSON-RPC message of an SSE stream (comments and priming events skipped), within a generous deadline.</summary>
    private static async Task<JsonElement> NextMessageAsync(StreamReader reader)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("The stream ended.");
    }

    /// <summary>Runs <c>tests/McpClients/modern-client.mjs</c> (the official TypeScript client 2.4.0) once and returns what it printed.</summary>
    private static async Task<JsonElement> ModernClientAsync(Uri url, string mode, params string[] arguments)
    {
        var (_, output, errors) = await NodeProcess.RunAsync(new[] { "modern-client.mjs", url.ToString(), mode }.Concat(arguments), TimeSpan.FromSeconds(90));
        return output.Length > 0 ? JsonDocument.Parse(output).RootElement.Clone() : throw new InvalidOperationException("modern-client.mjs printed nothing: " + errors);
    }

    /// <summary>Records the JSON-RPC method of every request the client sends.</summary>
    private sealed class RecordingHandler(List<string> sent) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content)
            {
                var body = await content.ReadAsStringAsync(cancellationToken);
                using var json = JsonDocument.Parse(Encoding.UTF8.GetBytes(body));
                lock (sent)
                {
                    sent.Add(json.RootElement.TryGetProperty("method", out var method) ? method.GetString()! : "(response)");
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Progress recorded as it is reported (not posted to a context later, as <see cref="Progress{T}"/> would).</summary>
    private sealed class SynchronousProgress(List<ProgressNotificationValue> seen) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }
}
