using System.Globalization;

namespace SseVirtualization.Load;

/// <summary>
/// CPU time a process has used (user + system), from <c>/proc/{pid}/stat</c>. On a shared, noisy machine the CPU a
/// silo spends per call is a steadier figure than its throughput, which moves with whatever else runs.
/// </summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
