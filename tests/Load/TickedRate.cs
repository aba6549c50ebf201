using System.Diagnostics;

namespace SseVirtualization.Load;

/// <summary>
/// How <c>fanin</c> sends at a rate: a hundredth of the rate at once every 10 ms (one call per tick below 100/s), and a
/// late tick is not made up. What is measured beside a fan-in is sent the same way, as bursts cost fewer thread wake-ups
/// per call than calls spread evenly.
/// </summary>
internal static class TickedRate
{
    public static async Task RunAsync(int rate, TimeSpan length, Action send)
    {
        var perTick = Math.Max(1, rate / 100);
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until && await ticker.WaitForNextTickAsync())
        {
            for (var k = 0; k < perTick; k++)
            {
                send();
            }
        }
    }
}
