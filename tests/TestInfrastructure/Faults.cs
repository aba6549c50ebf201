using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace SseVirtualization.TestInfrastructure;

/// <summary>Faults injected on purpose: a process frozen and thawed (a gray node), and a Redis that stalls or fills up.</summary>
public static class Faults
{
    /// <summary>Freezes a process (SIGSTOP): its sockets stay open and nothing answers, as on a stalled VM.</summary>
    public static Task FreezeAsync(int pid) => SignalAsync("-STOP", pid);

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    public static Task ThawAsync(int pid) => SignalAsync("-CONT", pid);

    /// <summary>Redis answers no client for <paramref name="length"/> (<c>CLIENT PAUSE … ALL</c>); commands wait, none fail.</summary>
    public static Task PauseRedisAsync(RedisServer redis, TimeSpan length) =>
        RedisCommandAsync(redis, "CLIENT", "PAUSE", ((long)length.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), "ALL");

    /// <summary>
    /// Redis refuses every write that needs memory (<c>maxmemory</c> below what it uses, no eviction: writes answer
    /// "OOM command not allowed"), as a full instance does. <see cref="UnfillRedisAsync"/> lifts the limit.
    /// </summary>
    public static async Task FillRedisAsync(RedisServer redis)
    {
        await RedisCommandAsync(redis, "CONFIG", "SET", "maxmemory-policy", "noeviction");
        var info = (string)(await RedisCommandAsync(redis, "INFO", "memory"))!;
        var used = long.Parse(
            info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim(),
            CultureInfo.InvariantCulture);
        await RedisCommandAsync(redis, "CONFIG", "SET", "maxmemory", Math.Max(1, used / 2).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Removes the memory limit set by <see cref="FillRedisAsync"/>.</summary>
    public static Task UnfillRedisAsync(RedisServer redis) => RedisCommandAsync(redis, "CONFIG", "SET", "maxmemory", "0");

    private static async Task<RedisResult> RedisCommandAsync(RedisServer redis, string command, params string[] arguments)
    {
        // A connection of its own, closed at once: a paused Redis must not hold up the caller's next command.
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.Address},allowAdmin=true,abortConnect=false");
        return await connection.GetDatabase().ExecuteAsync(command, arguments.Cast<object>().ToArray());
    }

    private static async Task SignalAsync(string signal, int pid)
    {
        using var kill = Process.Start("kill", [signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {pid} failed with exit code {kill.ExitCode}");
        }
    }
}
