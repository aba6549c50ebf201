using SseVirtualization.Load;

namespace SseVirtualization.EndToEnd.Tests.Load;

/// <summary>How <c>sync</c> sets targets beside each other when rounds alternate them.</summary>
public sealed class SyncRunTests
{
    [Fact]
    public void Each_round_gives_its_own_ratio_and_a_round_missing_a_target_gives_none()
    {
        var run = new SyncRun(
            [
                Row($"{SyncScenario.Yarp} #1", 10_000, cpu: 70), Row($"{SyncScenario.Silo} #1", 6_000, cpu: 140),
                Row($"{SyncScenario.Yarp} #2", 16_000, cpu: 80), Row($"{SyncScenario.Silo} #2", 8_000, cpu: 120),
                Row($"{SyncScenario.Yarp} #3", 12_000, cpu: 75), Row($"{SyncScenario.Silo} #3", 0, cpu: 0), // the silo answered nothing
                Row($"{SyncScenario.Yarp} #4", 15_000, cpu: 60), Row($"{SyncScenario.Silo} #4", 12_000, cpu: 90),
            ],
            Rounds: 4);

        Assert.Equal([0.6, 0.5, 0.8], run.ByRound(SyncScenario.Silo, SyncScenario.Yarp, SyncRun.Rate));
        Assert.Equal([2.0, 1.5, 1.5], run.ByRound(SyncScenario.Silo, SyncScenario.Yarp, SyncRun.CpuPerCall));
        Assert.Empty(run.ByRound(SyncScenario.Silo, SyncScenario.NginxProxy, SyncRun.Rate));
        Assert.Equal(0.6, SyncRun.Median([0.6, 0.5, 0.8]));
        Assert.Equal(0.65, SyncRun.Median([0.6, 0.5, 0.8, 0.7]), 6);
    }

    [Fact]
    public void A_run_of_one_round_names_its_rows_without_a_number()
    {
        var run = new SyncRun([Row(SyncScenario.Yarp, 10_000, cpu: 70), Row(SyncScenario.Silo, 7_000, cpu: 140)], Rounds: 1);

        Assert.Equal([0.7], run.ByRound(SyncScenario.Silo, SyncScenario.Yarp, SyncRun.Rate));
    }

    private static ResultRow Row(string target, double rate, double cpu) =>
        new(target, (long)rate * 20, 0, rate, new LatencySummary(0, 0, 0, 0, 0), new() { ["server_cpu_us_per_call"] = cpu });
}
