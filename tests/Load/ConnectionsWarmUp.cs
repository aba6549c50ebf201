using System.Net;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// What <c>connections</c> does before it reads each silo's baseline RSS: every silo opens and closes a few hundred
/// streams, then the silos are left until their RSS stops moving. What a silo does once, not once per stream (compiling
/// the stream's code, growing its pools and tables), then sits in the baseline instead of being divided among the
/// streams; a silo read straight after it starts is also still settling, by tens of MiB from run to run. The other way,
/// what the warm-up freed but the silo kept (heap, pooled buffers) is reused by the first streams measured, so the figure
/// can come out a little low: docs/benchmarks.md compares runs with and without warm-up streams.
/// </summary>
internal static class ConnectionsWarmUp
{
    /// <summary>
    /// Opens <paramref name="perSilo"/> streams on each silo, from 127.0.0.1, and closes them once all are open; returns
    /// how many were open at once.
    /// </summary>
    public static async Task<int> OpenAndCloseAsync(IReadOnlyList<StreamServer> silos, int perSilo, string prefix)
    {
        if (perSilo <= 0)
        {
            return 0;
        }

        var streams = new ConnectionsWorker.Connection?[silos.Count * perSilo];
        int opened;
        using var gate = new SemaphoreSlim(64);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await Task.WhenAll(Enumerable.Range(0, streams.Length).Select(async i =>
            {
                await gate.WaitAsync(stop.Token);
                try
                {
                    streams[i] = await ConnectionsWorker.Connection.OpenAsync(IPAddress.Loopback, silos[i % silos.Count].HttpPort, $"{prefix}-warmup-{i}", stop.Token);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        finally
        {
            opened = streams.Count(s => s is not null);
            await stop.CancelAsync();
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }
        }

        await Eventually.UntilAsync(
            async () => (await Task.WhenAll(silos.Select(s => s.OpenStreamsAsync()))).All(count => count == 0),
            "the silos to close the warm-up streams",
            TimeSpan.FromMinutes(2));
        return opened;
    }

    /// <summary>Waits until no silo's RSS moved by more than 1 MiB in the last 3 s, or <paramref name="atMost"/>.</summary>
    public static async Task SettleAsync(IReadOnlyList<StreamServer> silos, Func<int, long> rssKiB, TimeSpan atMost)
    {
        var previous = silos.Select(s => rssKiB(s.Pid)).ToArray();
        for (var waited = TimeSpan.Zero; waited < atMost; waited += TimeSpan.FromSeconds(3))
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var now = silos.Select(s => rssKiB(s.Pid)).ToArray();
            var settled = now.Zip(previous).All(p => Math.Abs(p.First - p.Second) <= 1024);
            previous = now;
            if (settled)
            {
                return;
            }
        }
    }
}
