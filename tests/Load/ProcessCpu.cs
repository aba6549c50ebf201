using System.Globalization;

namespace SseVirtualization.Load;

/// <summary>
/// CPU time a process has used (user + system), from <c>/proc/{pid}/stat</c>. On a shared, noisy machine the CPU a
/// silo spends per call is a steadier figure than its throughput, which moves with whatever else runs.
/// </summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The process and its live children together (nginx does its work in a worker the master started).</summary>
    public static double SecondsWithChildren(int pid)
    {
        var total = Seconds(pid);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var child) || child == pid)
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
                if (parent == pid.ToString(CultureInfo.InvariantCulture))
                {
                    total += Seconds(child);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return total;
    }

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
