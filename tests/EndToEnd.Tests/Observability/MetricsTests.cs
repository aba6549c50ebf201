using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Observability;

[Collection(ClusterCollectionDefinition.Name)]
public sealed partial class MetricsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Prometheus_counters_and_histograms_move_with_real_traffic()
    {
        var opened = await SumAsync("sse_connections_opened_total");
        var function = await cluster.RegisterAsync("echo");
        var clientId = "metrics-" + Guid.NewGuid().ToString("N")[..10];
        await using (var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}"))
        {
            await sse.NextOfTypeAsync("connected");
            using var invoked = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { }, client_id = clientId, @async = true });
            Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
            await sse.NextOfTypeAsync("function_response");
        }

        // Counters are exported per silo; the function grain ran on one of the two.
        await Eventually.UntilAsync(async () => await SumAsync("sse_connections_opened_total") >= opened + 1, "the connection counter to move");
        await Eventually.UntilAsync(
            async () => await SumAsync("sse_function_invocations_total", $"function=\"{function}\"", "outcome=\"succeeded\"") == 1,
            "the invocation counter of the new function to read 1");
        await Eventually.UntilAsync(
            async () => await SumAsync("sse_function_invocation_duration_seconds_count", $"function=\"{function}\"") == 1,
            "the duration histogram of the new function to count 1");
        Assert.True(await SumAsync("sse_events_queued_total") >= 1);
        var scrape = await cluster.A.GetStringAsync("metrics");
        Assert.Contains("http_server_request_duration_seconds", scrape, StringComparison.Ordinal);
        Assert.Contains("sse_connections_active", scrape, StringComparison.Ordinal);
        Assert.Contains("sse_queue_depth", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_", scrape, StringComparison.Ordinal);

        // Polly's attempts are kept; its time per pipeline run, the same as sse_function_invocation_duration, is not.
        var scrapes = scrape + await cluster.B.GetStringAsync("metrics");
        Assert.Contains("resilience_polly_strategy_attempt_duration", scrapes, StringComparison.Ordinal);
        Assert.DoesNotContain("resilience_polly_pipeline_duration", scrapes, StringComparison.Ordinal);

        // Orleans' meter keeps fewer series per instrument than ours (ObservabilityExtensions), but keeps its tags.
        Assert.True(await SumAsync("orleans_catalog_activations", "grain_type=\"client\"") >= 1, "client grains are counted by grain type");
    }

    [Fact]
    public async Task Probes_report_live_and_ready_with_each_check()
    {
        using var live = await cluster.A.GetAsync("health/live");
        using var ready = await cluster.B.GetAsync("health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("redis answers", body.GetProperty("checks").GetProperty("storage").GetProperty("description").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("silo").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("draining").GetProperty("status").GetString());
    }

    /// <summary>The sum over both silos of the samples of <paramref name="metric"/> whose labels contain all of <paramref name="labels"/>.</summary>
    private async Task<double> SumAsync(string metric, params string[] labels)
    {
        double total = 0;
        foreach (var silo in new[] { cluster.A, cluster.B })
        {
            foreach (Match sample in Sample().Matches(await silo.GetStringAsync("metrics")))
            {
                if (sample.Groups["name"].Value == metric && labels.All(l => sample.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
                {
                    total += double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
                }
            }
        }

        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
