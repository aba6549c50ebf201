using SseVirtualization.Load;

namespace SseVirtualization.EndToEnd.Tests.Load;

/// <summary>
/// Each load-tool scenario, small and short, so the tool keeps working. Correctness only (every call answered,
/// every result received once); timing is what the full runs in docs/benchmarks.md report.
/// </summary>
public sealed class LoadToolSmokeTests
{
    [Fact]
    public async Task Sync_scenario_answers_every_call_through_the_silo_both_proxies_and_directly()
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"load-sync-{Guid.NewGuid():N}.json");
        var run = await SyncScenario.RunAsync(Options.Parse(["--connections", "4", "--duration", "2", "--warmup", "0.5", "--out", out_]));

        foreach (var target in new[] { SyncScenario.Direct, SyncScenario.NginxProxy, SyncScenario.Yarp, SyncScenario.Silo })
        {
            var row = Assert.Single(run.Of(target));
            Assert.True(row.Succeeded > 0, target);
            Assert.Equal(0, row.Failed);
        }

        Assert.Contains(run.Ratios(), r => r.Label == "silo / YARP, throughput" && r.Value > 0);
        Assert.Contains("\"scenario\": \"sync\"", await File.ReadAllTextAsync(out_), StringComparison.Ordinal);
        File.Delete(out_);
    }

    [Fact]
    public async Task Fanin_scenario_delivers_every_result_exactly_once()
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"load-fanin-{Guid.NewGuid():N}.json");
        var plot = Path.ChangeExtension(out_, ".svg");
        var result = await FanInScenario.RunAsync(Options.Parse(
            ["--clients", "20", "--rate", "100", "--warmup", "1", "--duration", "2", "--beside-yarp", "true", "--yarp-warmup", "0.5", "--out", out_, "--plot", plot]));

        Assert.True(result.Accepted > 0);
        Assert.Equal(0, result.Refused);
        Assert.Equal(result.Accepted, result.Received);
        Assert.Equal(0, result.Duplicates);

        // The yardstick beside it: YARP answered every call at the same rate, and its CPU per call was measured.
        var yarp = Assert.IsType<ResultRow>(result.Yarp);
        Assert.True(yarp.Succeeded > 0);
        Assert.Equal(0, yarp.Failed);
        Assert.True(yarp.Extra!["server_cpu_us_per_call"] > 0);
        Assert.Contains(YarpAtRate.Target, await File.ReadAllTextAsync(out_), StringComparison.Ordinal);
        Assert.StartsWith("<svg", await File.ReadAllTextAsync(plot), StringComparison.Ordinal);
        File.Delete(out_);
        File.Delete(plot);
    }

    [Fact]
    public async Task Connections_scenario_opens_every_stream_through_worker_processes_and_each_gets_heartbeats()
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"load-connections-{Guid.NewGuid():N}.json");
        var result = await ConnectionsScenario.RunAsync(Options.Parse(
            ["--silos", "2", "--clients", "300", "--per-worker", "150", "--hold", "3", "--heartbeat", "1", "--warmup-streams", "20", "--settle", "0", "--out", out_, "--plot", Path.ChangeExtension(out_, ".svg")]));

        Assert.Equal(300, result.Connected);
        Assert.Equal(0, result.Failed);
        Assert.Equal(60, result.WarmUpStreams); // 20 on each silo and on bare Kestrel
        Assert.Equal(200, result.HeldBySilos); // and none of the warm-up streams
        Assert.Equal(100, result.HeldByBaseline); // bare Kestrel takes an equal share
        Assert.Equal(300, result.WithHeartbeat);
        Assert.Equal(0, result.ClosedEarly);
        Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.ChangeExtension(out_, ".svg")), StringComparison.Ordinal);
        File.Delete(out_);
        File.Delete(Path.ChangeExtension(out_, ".svg"));
    }

    [Fact]
    public async Task Idle_scenario_measures_each_variant_in_a_cluster_of_its_own_and_an_idle_silo_polls_nothing()
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"load-idle-{Guid.NewGuid():N}.json");
        var rows = await IdleScenario.RunAsync(Options.Parse(
            ["--silos", "1", "--settle", "5", "--duration", "3", "--variants", ";Clients__IdleDeactivation=00:05:00", "--out", out_]));

        Assert.Equal(["defaults", "Clients__IdleDeactivation=00:05:00"], rows.Select(r => r.Target));
        Assert.All(rows, r => Assert.True(r.Extra!["cpu_ms_per_s_per_silo"] > 0, r.Target));

        // Nothing is polled: MCP messages are pushed. Orleans' memory streams used to make 50 grain calls a second per queue.
        Assert.All(rows, r => Assert.True(
            r.Extra!["grain_calls_per_s_per_silo"] < 20, $"{r.Target}: {r.Extra!["grain_calls_per_s_per_silo"]} grain calls a second with nothing to do"));
        Assert.Contains("\"scenario\": \"idle\"", await File.ReadAllTextAsync(out_), StringComparison.Ordinal);
        File.Delete(out_);
    }

    [Fact]
    public async Task Reconnect_storm_scenario_serves_every_client_what_it_missed()
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"load-storm-{Guid.NewGuid():N}.json");
        var result = await ReconnectStormScenario.RunAsync(Options.Parse(["--clients", "200", "--missed", "2", "--rate", "400", "--out", out_]));

        Assert.Equal(200, result.ServedAgain);
        File.Delete(out_);
    }

    [Fact]
    public async Task Chaos_scenario_loses_duplicates_and_reorders_nothing_through_a_kill_a_paused_redis_and_a_hanging_function()
    {
        var out_ = Path.Combine(Path.GetTempPath(), $"load-chaos-{Guid.NewGuid():N}.json");
        var phases = await ChaosScenario.RunAsync(Options.Parse(
            ["--silos", "2", "--clients", "6", "--rate", "10", "--phase", "6", "--faults", "kill,redis-pause,hang", "--out", out_]));

        Assert.Equal(["kill", "redis-pause", "hang"], phases.Select(p => p.Fault));
        Assert.All(phases, p => Assert.True(p.Accepted > 0, $"{p.Fault}: nothing was accepted ({p.UnansweredWhy})"));
        Assert.All(phases, p => Assert.True(p.Kept, $"{p.Fault}: {p}"));
        Assert.Contains("\"scenario\": \"chaos\"", await File.ReadAllTextAsync(out_), StringComparison.Ordinal);
        File.Delete(out_);
    }
}
