using System.Diagnostics;
using System.Net;
using SseVirtualization.Silo.Hosting;
using SseVirtualization.TestInfrastructure;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>SIGTERM ends a silo within SHUTDOWN_TIMEOUT plus the watchdog's grace, even when Redis does not answer.</summary>
public sealed class ShutdownDeadlineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, string?> Settings = new() { ["SHUTDOWN_TIMEOUT"] = "00:00:05" };

    // Generous: only a silo that hangs misses it (before the watchdog it ran about two minutes).
    private static readonly TimeSpan ExitDeadline = ShutdownTimeout + ShutdownWatchdog.ExitGrace + TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("stopped")]
    [InlineData("paused")]
    public async Task Sigterm_ends_a_silo_whose_Redis_does_not_answer_with_the_exit_code_of_a_stop_cut_short(string redis)
    {
        await using var cluster = await OwnCluster.StartAsync(silos: 1, settings: Settings);
        var silo = cluster.Silos[0];
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, "sse/leaving-without-redis");
        await sse.NextOfTypeAsync("connected");

        await (redis == "stopped" ? cluster.Redis.StopAsync() : cluster.Redis.PauseAsync());
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.UntilAsync(async () =>
        {
            using var ready = await http.GetAsync("health/ready");
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "the silo to notice Redis is gone", TimeSpan.FromSeconds(60));

        var stopping = Stopwatch.StartNew();
        await silo.TerminateAsync();
        Assert.True(await silo.WaitForExitAsync(ExitDeadline), $"the silo still runs {stopping.Elapsed} after SIGTERM:\n{silo.RecentOutput}");
        output.WriteLine($"Redis {redis}: exited {stopping.Elapsed.TotalSeconds:F1} s after SIGTERM with code {silo.ExitCode} (SHUTDOWN_TIMEOUT {ShutdownTimeout.TotalSeconds} s)");

        Assert.Equal(ShutdownWatchdog.StopOverran, silo.ExitCode);
        Assert.Contains("SHUTDOWN_TIMEOUT plus grace", silo.RecentOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_with_Redis_up_ends_the_silo_gracefully_with_exit_code_0()
    {
        await using var cluster = await OwnCluster.StartAsync(silos: 1, settings: Settings);
        var silo = cluster.Silos[0];
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, "sse/leaving-with-redis");
        await sse.NextOfTypeAsync("connected");

        var stopping = Stopwatch.StartNew();
        await silo.TerminateAsync();
        await sse.NextOfTypeAsync("reconnect");
        Assert.True(await silo.WaitForExitAsync(ExitDeadline), $"the silo still runs {stopping.Elapsed} after SIGTERM:\n{silo.RecentOutput}");
        output.WriteLine($"Redis up: exited {stopping.Elapsed.TotalSeconds:F1} s after SIGTERM with code {silo.ExitCode}");

        Assert.Equal(0, silo.ExitCode);
        Assert.DoesNotContain("SHUTDOWN_TIMEOUT plus grace", silo.RecentOutput, StringComparison.Ordinal);
    }
}
