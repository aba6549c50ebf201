using System.Text;

namespace SseVirtualization.Load;

/// <summary>
/// What a plain .NET reverse proxy costs per call at a given rate on this machine, for <c>fanin --beside-yarp</c>: YARP
/// (<see cref="SyncBaselines"/>) forwarding <c>POST</c>s to an nginx stub, an open loop at the fan-in's own rate. Below
/// saturation each call pays for waking threads that then sit idle, so CPU per call at 1,000/s is several times what the
/// same proxy needs flat out (<c>sync</c>); the fan-in's figure is only comparable with one taken at its rate.
/// </summary>
internal static class YarpAtRate
{
    public const string Target = "YARP reverse proxy at the same rate";

    /// <summary>The row of the run; its <c>server_cpu_us_per_call</c> is YARP's CPU per call.</summary>
    public static async Task<ResultRow> MeasureAsync(int rate, TimeSpan warmup, TimeSpan duration)
    {
        await using var stub = await NginxStub.StartAsync();
        await using var yarp = await SyncBaselines.StartYarpAsync(stub, new Dictionary<string, string?>());
        var body = Encoding.UTF8.GetBytes("""{"text":"hello"}""");
        return await SyncScenario.DriveAsync(Target, new Uri(yarp.BaseAddress, "fn"), body, connections: 64, duration, warmup, rate, () => ProcessCpu.Seconds(yarp.Pid));
    }
}
