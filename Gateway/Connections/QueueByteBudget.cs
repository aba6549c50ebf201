using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Hosting;

namespace SseVirtualization.Gateway.Connections;

/// <summary>
/// The bytes of events held by this silo's connection queues (<see cref="EventQueue"/>), against the silo's bound
/// (<see cref="GatewayOptions.MaxQueuedBytesPerSilo"/>), and the bound of one queue
/// (<see cref="GatewayOptions.MaxQueuedBytesPerConnection"/>). Events are counted as they sit in memory: two bytes per
/// character of their data. One shared counter, changed with <see cref="Interlocked"/>: taking and giving back are a
/// single atomic add each, on a path every event of every connection takes.
/// </summary>
internal sealed class QueueByteBudget(long maxPerConnection, long maxPerSilo)
{
    /// <summary>No bounds: for queues made outside a silo (tests of other behaviour).</summary>
    public static QueueByteBudget Unbounded { get; } = new(long.MaxValue, long.MaxValue);

    private long _used;

    public QueueByteBudget(IOptions<GatewayOptions> options, GatewayCounters counters)
        : this(options.Value.MaxQueuedBytesPerConnection, options.Value.MaxQueuedBytesPerSilo)
    {
        counters.Meter.CreateObservableGauge("sse.queue.bytes", () => Used, "By", "Bytes of events held by connection queues on this silo (two per character).");
    }

    public long MaxPerConnection { get; } = maxPerConnection;

    public long MaxPerSilo { get; } = maxPerSilo;

    /// <summary>Bytes held by all queues of this silo now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>The bytes <paramref name="outgoing"/> holds while queued: its data, the part that can be large.</summary>
    public static long SizeOf(in OutgoingEvent outgoing) => 2L * outgoing.Data.Length;

    /// <summary>Counts <paramref name="bytes"/> against the silo's bound; <c>false</c> (and nothing counted) when they do not fit.</summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _used, bytes) <= MaxPerSilo)
        {
            return true;
        }

        // Another queue may be refused meanwhile for bytes briefly counted here: on the safe side, and only at the bound.
        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    public void Return(long bytes)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref _used, -bytes);
        }
    }
}
