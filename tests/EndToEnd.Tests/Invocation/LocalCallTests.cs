using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SseVirtualization.Functions;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Invocation;

/// <summary>
/// Sync calls run on the silo the request reached, with its copy of the registration: what a user must not notice
/// is that copy. A change made through one silo is what the next call through another uses, and a function's status
/// counts every silo's calls. Async calls run on the silo of the client's grain, and its re-drive must see them running.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class LocalCallTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_registration_changed_through_one_silo_is_what_the_next_call_through_the_other_uses()
    {
        var function = await cluster.RegisterAsync("echo");
        using (var first = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 1 } }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode); // silo B holds a copy of the registration now
        }

        using (var changed = await cluster.A.PutAsJsonAsync($"admin/functions/{function}", new { endpoint = cluster.Stub.Url("status/418").ToString() }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using (var second = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 2 } }))
        {
            var result = await second.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(418, result.GetProperty("status_code").GetInt32());
        }

        using (var deleted = await cluster.A.DeleteAsync($"admin/functions/{function}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var third = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 3 } });
        Assert.Equal(HttpStatusCode.NotFound, third.StatusCode);
    }

    [Fact]
    public async Task A_function_s_status_counts_the_calls_made_through_every_silo()
    {
        var function = await cluster.RegisterAsync("echo");
        foreach (var silo in new[] { cluster.A, cluster.A, cluster.A, cluster.B, cluster.B })
        {
            using var response = await silo.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 1 } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        foreach (var silo in new[] { cluster.A, cluster.B })
        {
            var stats = (await silo.GetFromJsonAsync<JsonElement>($"admin/functions/{function}")).GetProperty("stats");
            Assert.Equal(5, stats.GetProperty("invocations").GetInt64());
            Assert.Equal(5, stats.GetProperty("outcomes").GetProperty("succeeded").GetInt64());
            Assert.True(stats.GetProperty("latency_p50_ms").GetDouble() >= 0);
        }
    }

    [Fact]
    public async Task An_async_call_slower_than_the_re_drive_s_wait_reaches_its_function_once_and_its_client_once()
    {
        // The fixture re-drives an invocation unanswered after 2 s: this one takes 5.
        var function = await cluster.RegisterAsync("slow/5000");
        var clientId = "slow-" + Guid.NewGuid().ToString("N")[..10];
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        using var accepted = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;

        var result = JsonDocument.Parse((await sse.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(60))).Data).RootElement;
        Assert.Equal(requestId, result.GetProperty("request_id").GetString());
        Assert.True(result.GetProperty("success").GetBoolean());

        // A later event comes next (no second result in between), and the function was called once.
        using (var marker = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId }))
        {
            var markerId = (await marker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();
            var next = await sse.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(60));
            Assert.Equal(markerId, JsonDocument.Parse(next.Data).RootElement.GetProperty("request_id").GetString());
        }

        Assert.Equal(1, cluster.Stub.History.Count(c => c.RequestId == requestId));
    }

    [Fact]
    public async Task While_an_async_call_runs_exactly_one_silo_answers_that_it_runs_it_and_none_once_it_is_done()
    {
        // What a client grain's re-drive asks the silo recorded as running a call (ISiloFunctionsGrain.IsRunningAsync),
        // asked here of every silo from outside, as a grain on another silo would.
        // Slow enough that the first question comes while it runs, even on a loaded machine.
        var function = await cluster.RegisterAsync("slow/12000", timeout: "40s");
        var clientId = "running-" + Guid.NewGuid().ToString("N")[..10];
        using var backend = await cluster.StartBackendClientAsync();
        var grains = backend.Services.GetRequiredService<IClusterClient>();
        var silos = (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.Select(s => s.ToParsableString()).ToList();
        Assert.Equal(2, silos.Count);

        using var accepted = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var requestId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!;
        async Task<int> RunningOnAsync()
        {
            var answers = await Task.WhenAll(silos.Select(silo => grains.GetGrain<ISiloFunctionsGrain>(silo).IsRunningAsync(function, requestId)));
            return answers.Count(running => running);
        }

        // The call is recorded as running before the 202, and the function takes 12 s to answer it.
        Assert.Equal(1, await RunningOnAsync());
        await Eventually.UntilAsync(async () => await RunningOnAsync() == 0, "no silo to be running the call once it is done", TimeSpan.FromSeconds(90));
        await backend.StopAsync();
    }
}
