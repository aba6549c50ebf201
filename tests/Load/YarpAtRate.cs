using System.Diagnostics;
using System.Text;

namespace SseVirtualization.Load;

/// <summary>
/// What a plain .NET reverse proxy costs per call at a given rate on this machine, for <c>fanin --beside-yarp</c>: YARP
/// (<see cref="SyncBaselines"/>) forwarding <c>POST</c>s to an nginx stub, sent as the fan-in sends its invokes
/// (<see cref="TickedRate"/>). Below saturation each call pays for waking threads that then sit idle, so CPU per call at
/// 1,000/s is several times what the same proxy needs flat out (<c>sync</c>): the fan-in's figure compares only with one
/// taken at its own rate.
/// </summary>
internal static class YarpAtRate
{
    public const string Target = "YARP reverse proxy at the same rate";

    /// <summary>The row of the run; its <c>server_cpu_us_per_call</c> is YARP's CPU per call.</summary>
    public static async Task<ResultRow> MeasureAsync(int rate, TimeSpan warmup, TimeSpan duration)
    {
        await using var stub = await NginxStub.StartAsync();
        await using var yarp = await SyncBaselines.StartYarpAsync(stub, new Dictionary<string, string?>());
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromSeconds(30) };
        var url = new Uri(yarp.BaseAddress, "fn");
        var body = Encoding.UTF8.GetBytes("""{"text":"hello"}""");
        var latencies = new LatencyRecorder();
        long succeeded = 0, failed = 0;
        var calls = new List<Task>();

        async Task CallAsync(bool measured)
        {
            var started = Stopwatch.GetTimestamp();
            var ok = await SyncScenario.PostAsync(http, url, body);
            if (measured && ok)
            {
                Interlocked.Increment(ref succeeded);
                latencies.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else if (measured)
            {
                Interlocked.Increment(ref failed);
            }
        }

        await TickedRate.RunAsync(rate, warmup, () => calls.Add(CallAsync(measured: false)));
        var cpuAtStart = ProcessCpu.Seconds(yarp.Pid);
        await TickedRate.RunAsync(rate, duration, () => calls.Add(CallAsync(measured: true)));
        await Task.WhenAll(calls);
        var extra = succeeded > 0
            ? new Dictionary<string, double> { ["server_cpu_us_per_call"] = Math.Round((ProcessCpu.Seconds(yarp.Pid) - cpuAtStart) * 1e6 / succeeded, 1) }
            : null;
        return new ResultRow(Target, succeeded, failed, Math.Round(succeeded / duration.TotalSeconds, 1), latencies.Summarize(), extra);
    }
}
