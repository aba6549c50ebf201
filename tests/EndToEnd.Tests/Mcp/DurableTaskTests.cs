using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.EndToEnd.Tests.Reliability;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// The tasks extension of MCP 2026-07-28 on durable async invocations: a function's task survives the death of the
/// silo that accepted it and is read on another; a task that names an SSE client also reaches that client's stream.
/// Each test has a cluster of its own (one of them kills a silo). The SDKs do not speak the extension yet: raw HTTP.
/// </summary>
public sealed class DurableTaskTests
{
    [Fact]
    public async Task A_task_accepted_by_a_silo_that_dies_is_completed_and_read_on_another()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: 2);
        var (victim, survivor) = (cluster.Silos[0], cluster.Silos[1]);
        using var a = new HttpClient { BaseAddress = victim.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var b = new HttpClient { BaseAddress = survivor.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await RegisterAsync(b, "long-task", stub.Url("slow/3000"));
        var marker = "task-" + Guid.NewGuid().ToString("N");

        // Several tasks, so that some of their client grains (where each task's ledger entry lives) are on the victim.
        var taskIds = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var created = await CallAsync(a, "tools/call", new Dictionary<string, object> { ["name"] = "long-task", ["arguments"] = new { marker, i } });
            Assert.Equal("task", created.GetProperty("resultType").GetString());
            Assert.Equal("working", created.GetProperty("status").GetString());
            taskIds.Add(created.GetProperty("taskId").GetString()!);
        }

        await victim.KillAsync();

        foreach (var taskId in taskIds)
        {
            var done = await Eventually.WaitAsync(
                async () =>
                {
                    // Until the cluster has declared the victim dead, a grain that lived there answers 503: poll again.
                    using var response = await SendAsync(b, "tasks/get", new Dictionary<string, object> { ["taskId"] = taskId });
                    if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                    {
                        return null;
                    }

                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True(response.IsSuccessStatusCode, body);
                    var task = JsonDocument.Parse(body).RootElement.GetProperty("result").Clone();
                    return task.GetProperty("status").GetString() == "completed" ? new[] { task } : null;
                },
                $"task {taskId} to complete on the surviving silo",
                TimeSpan.FromSeconds(120));

            var result = done[0].GetProperty("result");
            Assert.False(result.GetProperty("isError").GetBoolean(), result.ToString());
            Assert.Contains("3000", result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains(stub.History, call => call.Body?.Contains(marker, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_task_that_names_an_sse_client_also_reaches_its_stream_and_an_unknown_task_is_refused()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: 2);
        using var a = new HttpClient { BaseAddress = cluster.Silos[0].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await RegisterAsync(a, "quick-task", stub.Url("echo"));
        var clientId = "tasked-" + Guid.NewGuid().ToString("N")[..12];
        await using var sse = await SseClient.ConnectAsync(cluster.Silos[1].BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected", TimeSpan.FromSeconds(30));

        var created = await CallAsync(a, "tools/call", new Dictionary<string, object>
        {
            ["name"] = "quick-task",
            ["arguments"] = new { hello = "stream" },
            ["_meta"] = new Dictionary<string, object> { ["clientId"] = clientId },
        });

        var response = await sse.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(30));
        Assert.Contains("stream", response.Data, StringComparison.Ordinal);
        var task = await CallAsync(a, "tasks/get", new Dictionary<string, object> { ["taskId"] = created.GetProperty("taskId").GetString()! });
        Assert.Equal("completed", task.GetProperty("status").GetString());

        using var unknown = await SendAsync(a, "tasks/get", new Dictionary<string, object> { ["taskId"] = $"{clientId}~{Guid.NewGuid():N}" });
        var error = (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(-32602, error.GetProperty("code").GetInt32());
    }

    private static async Task RegisterAsync(HttpClient http, string name, Uri endpoint)
    {
        using var response = await http.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = name,
            ["endpoint"] = endpoint.ToString(),
            ["retry"] = false,
            ["input_schema"] = new { type = "object" },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A 2026-07-28 request from a client that declares the tasks extension; its result.</summary>
    private static async Task<JsonElement> CallAsync(HttpClient http, string method, Dictionary<string, object> parameters)
    {
        using var response = await SendAsync(http, method, parameters);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.True(answer.TryGetProperty("result", out var result), body);
        return result.Clone();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, Dictionary<string, object> parameters)
    {
        using var request = ModernMcpRequest.Create(method, parameters, ModernMcpRequest.TasksCapabilities);
        return await http.SendAsync(request);
    }
}
