using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

public sealed class StreamInterruptionTests
{
    [Fact]
    public async Task A_streaming_invocation_cut_by_its_silos_death_ends_with_interrupted_and_is_not_restarted()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: 2);
        using var http = new HttpClient { BaseAddress = cluster.Silos[0].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        const string gate = "held-stream";
        using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "feed", endpoint = stub.Url($"stream/ndjson/3?gate={gate}").ToString(), timeout = "60s" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var accepted = await http.PostAsJsonAsync("invoke/feed", new { payload = new { }, client_id = "watcher", @async = true, stream = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();

        // The silo running the function grain dies; the client listens on the other one.
        var functionSilo = (await http.GetFromJsonAsync<JsonElement>("admin/functions/feed")).GetProperty("stats").GetProperty("silo").GetString();
        var victim = await OwnCluster.SiloIdOfAsync(cluster.Silos[0]) == functionSilo ? cluster.Silos[0] : cluster.Silos[1];
        var survivor = victim == cluster.Silos[0] ? cluster.Silos[1] : cluster.Silos[0];
        await using var sse = await SseClient.ConnectAsync(survivor.BaseAddress, "sse/watcher", r => r.Headers.Add("Last-Event-ID", "0"));
        var first = JsonDocument.Parse((await sse.NextOfTypeAsync("function_result", TimeSpan.FromSeconds(30))).Data).RootElement;
        Assert.Equal(0, first.GetProperty("index").GetInt32());

        await victim.KillAsync();
        stub.Release(gate); // nothing is reading the function's stream any more

        var end = await sse.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(90));
        var result = JsonDocument.Parse(end.Data).RootElement;
        Assert.Equal(requestId, result.GetProperty("request_id").GetString());
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Equal("interrupted", result.GetProperty("error").GetString());
        Assert.DoesNotContain(sse.Received, e => e.EventType == "function_result" && JsonDocument.Parse(e.Data).RootElement.GetProperty("index").GetInt32() > 0);
        Assert.Equal(1, stub.History.Count(c => c.RequestId == requestId));
    }
}
