using System.Globalization;
using StackExchange.Redis;

namespace SseVirtualization.Load;

/// <summary>
/// What Redis did between two readings of <c>INFO commandstats</c>, <c>INFO stats</c> and <c>INFO cpu</c>: calls per
/// command, the bytes it read and wrote, and the CPU it spent. Divided by invocations or connects, it is the storage cost of each, the figure that decides
/// how many Redis servers a large cluster needs (docs/benchmarks.md, "Beyond one machine").
/// </summary>
internal sealed record RedisCommandStats(IReadOnlyDictionary<string, long> Calls, long BytesIn, long BytesOut, double CpuSeconds)
{
    public static async Task<RedisCommandStats> ReadAsync(string address)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{address},allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var (key, value) in group)
            {
                // cmdstat_evalsha: calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0
                var calledTimes = value.Split(',').First(p => p.StartsWith("calls=", StringComparison.Ordinal))["calls=".Length..];
                calls[key["cmdstat_".Length..]] = long.Parse(calledTimes, CultureInfo.InvariantCulture);
            }
        }

        var stats = (await server.InfoAsync("stats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var cpu = (await server.InfoAsync("cpu")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new RedisCommandStats(
            calls,
            long.Parse(stats["total_net_input_bytes"], CultureInfo.InvariantCulture),
            long.Parse(stats["total_net_output_bytes"], CultureInfo.InvariantCulture),
            double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture));
    }

    /// <summary>What happened since <paramref name="before"/>, per <paramref name="operations"/> (commands that ran at all).</summary>
    public RedisCost Since(RedisCommandStats before, long operations)
    {
        var perCommand = Calls
            .Select(c => (c.Key, Calls: c.Value - before.Calls.GetValueOrDefault(c.Key)))
            .Where(c => c.Calls > 0 && c.Key is not ("info" or "client|setinfo" or "client|setname" or "cluster|nodes" or "config|get" or "echo" or "subscribe" or "ping"))
            .OrderByDescending(c => c.Calls)
            .ToDictionary(c => c.Key, c => Math.Round(c.Calls / (double)operations, 3));
        return new RedisCost(
            Math.Round(perCommand.Values.Sum(), 3),
            perCommand,
            Math.Round((BytesIn - before.BytesIn) / (double)operations, 0),
            Math.Round((BytesOut - before.BytesOut) / (double)operations, 0),
            Math.Round((CpuSeconds - before.CpuSeconds) * 1e6 / operations, 1));
    }
}

/// <summary>
/// Redis commands and bytes per operation (an invocation, a connect). Redis counts the commands a script runs as well
/// as the script's own call: Orleans' grain storage writes with one <c>evalsha</c> that runs <c>hget</c> and
/// <c>hmset</c>, so one write shows as three commands and one round trip.
/// </summary>
internal sealed record RedisCost(double Commands, IReadOnlyDictionary<string, double> PerCommand, double BytesIn, double BytesOut, double CpuMicroseconds)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Commands:0.00} Redis commands, those run inside scripts included ({string.Join(", ", PerCommand.Select(c => $"{c.Key} {c.Value:0.00}"))}), {BytesIn:0} bytes to Redis, {BytesOut:0} bytes back, {CpuMicroseconds:0.0} µs of Redis CPU");

    public Dictionary<string, double> ToExtra(string prefix)
    {
        var extra = new Dictionary<string, double>
        {
            [prefix + "redis_commands"] = Commands,
            [prefix + "redis_bytes_in"] = BytesIn,
            [prefix + "redis_bytes_out"] = BytesOut,
            [prefix + "redis_cpu_us"] = CpuMicroseconds,
        };
        foreach (var (command, calls) in PerCommand)
        {
            extra[$"{prefix}redis_{command.Replace('|', '_')}"] = calls;
        }

        return extra;
    }
}
