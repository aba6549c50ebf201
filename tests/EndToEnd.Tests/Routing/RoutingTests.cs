using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Routing;

/// <summary>Several endpoints per function: load balancing, retries that move on, breakers, health checks.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class RoutingTests(ClusterFixture cluster)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private string[] Endpoints(params string[] names) => names.Select(n => cluster.Stub.Url("ep/" + n).ToString()).ToArray();

    private async Task<JsonElement> InvokeAsync(string function, HttpClient? via = null)
    {
        using var response = await (via ?? cluster.B).PostAsJsonAsync($"invoke/{function}", new { payload = new { } });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body;
    }

    private async Task<JsonElement> AdminAsync(string function) =>
        await cluster.A.GetFromJsonAsync<JsonElement>($"admin/functions/{function}");

    [Fact]
    public async Task Round_robin_spreads_calls_evenly_over_the_endpoints()
    {
        var (a, b, c) = (Unique("a"), Unique("b"), Unique("c"));
        var function = await cluster.RegisterAsync(new() { ["endpoints"] = Endpoints(a, b, c) });

        for (var i = 0; i < 9; i++)
        {
            Assert.True((await InvokeAsync(function)).GetProperty("success").GetBoolean());
        }

        Assert.Equal([3, 3, 3], new[] { cluster.Stub.CallsTo(a), cluster.Stub.CallsTo(b), cluster.Stub.CallsTo(c) });
    }

    [Fact]
    public async Task Least_outstanding_sends_new_calls_away_from_a_busy_endpoint()
    {
        var (a, b) = (Unique("a"), Unique("b"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Whichever endpoint takes the first call holds it; later calls to either answer at once.
        cluster.Stub.Script(a, StubStep.HoldUntil(release));
        cluster.Stub.Script(b, StubStep.HoldUntil(release));
        var function = await cluster.RegisterAsync(new() { ["endpoints"] = Endpoints(a, b), ["load_balancing"] = "least_outstanding" });

        var held = InvokeAsync(function);
        await Eventually.UntilAsync(() => Task.FromResult(cluster.Stub.CallsTo(a) + cluster.Stub.CallsTo(b) == 1), "the first call to be held");
        var busy = cluster.Stub.CallsTo(a) == 1 ? a : b;
        var idle = busy == a ? b : a;
        cluster.Stub.ClearScript(idle);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(idle, (await InvokeAsync(function)).GetProperty("data").GetProperty("endpoint").GetString());
        }

        release.SetResult();
        Assert.True((await held).GetProperty("success").GetBoolean());
        Assert.Equal(1, cluster.Stub.CallsTo(busy));
    }

    [Fact]
    public async Task A_503_is_retried_on_another_endpoint_and_the_caller_sees_success()
    {
        var (down, up) = (Unique("down"), Unique("up"));
        cluster.Stub.SetHealthy(down, false); // answers 503 to every call
        var function = await cluster.RegisterAsync(new() { ["endpoints"] = Endpoints(down, up), ["circuit_breaker"] = false });

        for (var i = 0; i < 6; i++)
        {
            var result = await InvokeAsync(function);
            Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
            Assert.Equal(up, result.GetProperty("data").GetProperty("endpoint").GetString());
        }

        // Round robin sends every other first attempt to the failing endpoint; each moved on after one try.
        Assert.Equal(3, cluster.Stub.CallsTo(down));
        var stats = (await AdminAsync(function)).GetProperty("stats");
        Assert.Equal(3, stats.GetProperty("retries").GetInt64());
        Assert.Equal(6, stats.GetProperty("outcomes").GetProperty("succeeded").GetInt64());
    }

    [Fact]
    public async Task Other_4xx_answers_are_never_retried()
    {
        var name = Unique("bad");
        cluster.Stub.Script(name, StubStep.Fail(400), StubStep.Fail(409));
        var function = await cluster.RegisterAsync(new() { ["endpoint"] = Endpoints(name)[0] });

        var first = await InvokeAsync(function);
        var second = await InvokeAsync(function);

        Assert.Equal(400, first.GetProperty("status_code").GetInt32());
        Assert.Equal(409, second.GetProperty("status_code").GetInt32());
        Assert.Equal(2, cluster.Stub.CallsTo(name));
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After_and_not_when_that_is_longer_than_max_delay()
    {
        var name = Unique("busy");
        cluster.Stub.Script(name, StubStep.TooMany(1));
        var function = await cluster.RegisterAsync(new() { ["endpoint"] = Endpoints(name)[0], ["retry"] = new { max_retries = 2, max_delay = "3s" } });

        var result = await InvokeAsync(function);

        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        var calls = cluster.Stub.History.Where(c => c.Path == "/ep/" + name).ToList();
        Assert.Equal(2, calls.Count);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms, before Retry-After: 1");

        cluster.Stub.Script(name, StubStep.TooMany(60));
        var refused = await InvokeAsync(function);
        Assert.Equal(429, refused.GetProperty("status_code").GetInt32());
        Assert.Equal(3, cluster.Stub.CallsTo(name));
    }

    [Fact]
    public async Task A_failing_endpoints_circuit_opens_and_calls_stop_reaching_it()
    {
        var (broken, fine) = (Unique("broken"), Unique("fine"));
        cluster.Stub.Script(broken, Enumerable.Repeat(StubStep.Fail(500), 50).ToArray());
        var function = await cluster.RegisterAsync(new()
        {
            ["endpoints"] = Endpoints(broken, fine),
            ["circuit_breaker"] = new { failure_ratio = 0.5, minimum_throughput = 2, sampling_duration = "30s", break_duration = "60s" },
        });

        for (var i = 0; i < 4; i++)
        {
            await InvokeAsync(function);
        }

        var reachedBroken = cluster.Stub.CallsTo(broken);
        for (var i = 0; i < 6; i++)
        {
            Assert.True((await InvokeAsync(function)).GetProperty("success").GetBoolean());
        }

        Assert.Equal(reachedBroken, cluster.Stub.CallsTo(broken));
        var health = (await AdminAsync(function)).GetProperty("health").EnumerateArray().ToList();
        Assert.Equal("open", health[0].GetProperty("circuit").GetString());
        Assert.Equal("closed", health[1].GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task An_open_circuit_lets_a_probe_through_after_its_break_and_closes_when_the_endpoint_recovered()
    {
        var (flaky, fine) = (Unique("flaky"), Unique("fine"));
        cluster.Stub.Script(flaky, StubStep.Fail(500), StubStep.Fail(500));
        var function = await cluster.RegisterAsync(new()
        {
            ["endpoints"] = Endpoints(flaky, fine),
            ["circuit_breaker"] = new { failure_ratio = 0.5, minimum_throughput = 2, sampling_duration = "30s", break_duration = "1s" },
        });

        for (var i = 0; i < 4; i++)
        {
            await InvokeAsync(function);
        }

        Assert.Equal("open", (await AdminAsync(function)).GetProperty("health")[0].GetProperty("circuit").GetString());

        // The script is used up: the endpoint answers again. After the break one call probes it and the circuit closes.
        await Eventually.UntilAsync(
            async () =>
            {
                await InvokeAsync(function);
                return (await AdminAsync(function)).GetProperty("health")[0].GetProperty("circuit").GetString() == "closed";
            },
            "the circuit to close after a successful probe");
        Assert.Equal(3, cluster.Stub.CallsTo(flaky));
    }

    [Fact]
    public async Task Health_checks_take_an_endpoint_out_and_bring_it_back()
    {
        var (flappy, steady) = (Unique("flappy"), Unique("steady"));
        var function = await cluster.RegisterAsync(new()
        {
            ["endpoints"] = Endpoints(flappy, steady),
            ["health_check"] = new { interval = "200ms", timeout = "150ms", unhealthy_threshold = 2, healthy_threshold = 2 },
        });

        await WaitForHealthAsync(function, 0, "healthy");
        cluster.Stub.SetHealthy(flappy, false);
        var down = await WaitForHealthAsync(function, 0, "unhealthy");
        Assert.True(down.GetProperty("consecutive_failures").GetInt32() >= 2);
        Assert.Equal("HTTP 503", down.GetProperty("last_error").GetString());
        Assert.True(down.GetProperty("latency_ms").GetDouble() >= 0);

        var before = cluster.Stub.CallsTo(flappy);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(steady, (await InvokeAsync(function)).GetProperty("data").GetProperty("endpoint").GetString());
        }

        Assert.Equal(before, cluster.Stub.CallsTo(flappy));

        cluster.Stub.SetHealthy(flappy, true);
        await WaitForHealthAsync(function, 0, "healthy");
        var answered = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            answered.Add((await InvokeAsync(function)).GetProperty("data").GetProperty("endpoint").GetString()!);
        }

        Assert.Contains(flappy, answered);
    }

    [Fact]
    public async Task An_endpoint_that_refuses_connections_is_retried_elsewhere_goes_unhealthy_and_comes_back_when_it_listens_again()
    {
        var port = FreePort.Next();
        var steady = Unique("steady");
        var function = await cluster.RegisterAsync(new()
        {
            ["endpoints"] = new[] { $"http://127.0.0.1:{port}/ep/revived", cluster.Stub.Url("ep/" + steady).ToString() },
            ["health_check"] = new { interval = "200ms", timeout = "150ms", unhealthy_threshold = 1, healthy_threshold = 1 },
            ["circuit_breaker"] = false,
        });

        // Nothing listens on the first endpoint: each call that starts there moves on to the second.
        for (var i = 0; i < 4; i++)
        {
            var result = await InvokeAsync(function);
            Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        }

        var down = await WaitForHealthAsync(function, 0, "unhealthy");
        Assert.Equal("ConnectionError", down.GetProperty("last_error").GetString());

        await using var revived = await StubFunctionServer.StartAsync(port);
        await WaitForHealthAsync(function, 0, "healthy");
        var answered = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answered.Add((await InvokeAsync(function)).GetProperty("data").GetProperty("endpoint").GetString()!);
        }

        Assert.Equal(2, answered.Count(e => e == "revived"));
        Assert.Equal(2, revived.CallsTo("revived"));
    }

    [Fact]
    public async Task An_endpoint_address_for_cloud_metadata_is_refused_at_registration()
    {
        foreach (var endpoint in new[] { "http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/" })
        {
            using var response = await cluster.A.PostAsJsonAsync("admin/functions", new { name = Unique("meta"), endpoints = new[] { endpoint } });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("endpoints", problem.GetProperty("field").GetString());
            Assert.Contains("link-local or cloud metadata", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> WaitForHealthAsync(string function, int index, string state)
    {
        JsonElement endpoint = default;
        await Eventually.UntilAsync(
            async () =>
            {
                endpoint = (await AdminAsync(function)).GetProperty("health")[index];
                return endpoint.GetProperty("state").GetString() == state;
            },
            $"endpoint {index} of {function} to be {state}",
            TimeSpan.FromSeconds(30));
        return endpoint;
    }
}
