using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>The quick start: no Redis, one silo, in-memory state, and it says so.</summary>
public sealed class EmbeddedModeTests
{
    [Fact]
    public async Task Silo_without_redis_runs_alone_says_state_is_not_durable_and_delivers_results()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?>());
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };

        await Eventually.UntilAsync(() => Task.FromResult(silo.RecentOutput.Contains("NOT durable", StringComparison.Ordinal)), "the not-durable warning");
        Assert.Contains("REDIS_ADDR", silo.RecentOutput, StringComparison.Ordinal);

        // Production logs are JSON lines with a level, a category and the message.
        var warning = silo.RecentOutput.Split('\n').Single(l => l.Contains("NOT durable", StringComparison.Ordinal));
        using (var line = JsonDocument.Parse(warning))
        {
            Assert.Equal("Warning", line.RootElement.GetProperty("LogLevel").GetString());
            Assert.Equal("SseVirtualization.Silo.Hosting.StorageModeAnnouncer", line.RootElement.GetProperty("Category").GetString());
        }

        var health = await http.GetFromJsonAsync<JsonElement>("admin/health");
        Assert.Equal("memory", health.GetProperty("storage").GetString());
        Assert.False(health.GetProperty("redis_connected").GetBoolean());

        using var created = await http.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, "sse/quick-start");
        await sse.NextOfTypeAsync("connected");
        using var invoked = await http.PostAsJsonAsync("invoke/echo", new { payload = new { hi = 1 }, client_id = "quick-start", @async = true });
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var item = await sse.NextOfTypeAsync("function_response");
        Assert.Equal(1, JsonDocument.Parse(item.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("hi").GetInt32());
    }

    [Fact]
    public async Task Embedded_mode_allows_loopback_functions_unless_Functions_AllowLoopback_is_set_to_false()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var refusing = await SiloProcess.StartAsync(new Dictionary<string, string?> { ["Functions__AllowLoopback"] = "false" });
        await using var allowing = await SiloProcess.StartAsync(new Dictionary<string, string?>());

        using var refusingHttp = new HttpClient { BaseAddress = refusing.BaseAddress };
        using var refused = await refusingHttp.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("endpoint", problem.GetProperty("field").GetString());
        Assert.Contains("Functions:AllowLoopback", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var allowingHttp = new HttpClient { BaseAddress = allowing.BaseAddress };
        using var created = await allowingHttp.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
