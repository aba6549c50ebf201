using System.Diagnostics;
using System.Globalization;

namespace SseVirtualization.Load;

/// <summary>
/// Where the silos' CPU goes, by stage: <c>perf record</c> samples both silos' stacks during the measured window, and each
/// sample is counted for the first stage its stack names, read from the leaf up (a socket write made by Kestrel is
/// Kestrel's, one made by StackExchange.Redis is storage's). The silos must run with <c>DOTNET_PerfMapEnabled=1</c>, so
/// perf can name JIT-compiled methods. Multiplied by the measured CPU per invocation, the shares give microseconds per
/// invocation for each stage.
/// </summary>
internal sealed class StageProfile
{
    /// <summary>Stages in the order they are reported; a sample that names none of them is "other".</summary>
    public static readonly IReadOnlyList<string> Stages =
    [
        "JIT", "runtime (GC, allocation, type checks)", "thread pool: idle workers", "storage (Redis client)", "HTTP out (function calls)", "HTTP in, SSE out (Kestrel, ASP.NET Core)",
        "Orleans messaging and scheduling", "Orleans serialization", "our code (gateway, grains)", "telemetry (metrics, traces, logs)",
        "kernel, no managed caller", "other",
    ];

    // Read from the leaf up: the first pattern a frame matches names the sample's stage. Runtime-wide work (JIT, GC,
    // idle workers) is checked over the whole stack first, since its frames sit under any caller.
    private static readonly (string Stage, string[] Patterns)[] WholeStack =
    [
        ("JIT", ["libclrjit.so"]),
        ("thread pool: idle workers", ["LowLevelLifoSemaphore"]),
    ];

    private static readonly (string Stage, string[] Patterns)[] FromLeaf =
    [
        ("storage (Redis client)", ["StackExchange.Redis", "Orleans.Persistence.Redis", "Orleans.Storage", "GrainStateSerializer"]),
        ("telemetry (metrics, traces, logs)", ["OpenTelemetry", "System.Diagnostics.Metrics", "System.Diagnostics.Activity", "Microsoft.Extensions.Logging", "DiagnosticSource"]),
        ("Orleans serialization", ["Orleans.Serialization"]),
        ("HTTP out (function calls)", ["System.Net.Http", "Polly", "Microsoft.Extensions.Http"]),
        ("HTTP in, SSE out (Kestrel, ASP.NET Core)", ["Microsoft.AspNetCore"]),
        ("our code (gateway, grains)", ["SseVirtualization"]),
        ("Orleans messaging and scheduling", ["Orleans"]),
    ];

    private readonly Process _perf;
    private readonly string _data;
    private readonly string _pids;

    private StageProfile(Process perf, string data, string pids) => (_perf, _data, _pids) = (perf, data, pids);

    /// <summary>Starts sampling <paramref name="pids"/> for <paramref name="length"/>; null (and a note) when perf is missing.</summary>
    public static StageProfile? Start(IEnumerable<int> pids, TimeSpan length)
    {
        var data = Path.Combine(Path.GetTempPath(), $"sse-stages-{Guid.NewGuid():N}.data");
        var start = new ProcessStartInfo("perf")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // The whole machine, filtered to the silos when read: in a virtual machine without a PMU, sampling one process
        // (-p) records nothing, while the software clock over all CPUs (-a -e cpu-clock) works.
        foreach (var argument in new[] { "record", "-e", "cpu-clock", "-F", "499", "-a", "-g", "-o", data, "--", "sleep", ((int)Math.Ceiling(length.TotalSeconds)).ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var perf = Process.Start(start)!;
            _ = perf.StandardOutput.ReadToEndAsync();
            _ = perf.StandardError.ReadToEndAsync();
            return new StageProfile(perf, data, string.Join(',', pids));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine("--profile: perf is not installed (Debian: apt-get install linux-perf); no stages are reported");
            return null;
        }
    }

    /// <summary>Waits for the recording to end and returns each stage's share of the samples (0 to 1), and the sample count.</summary>
    public async Task<(Dictionary<string, double> Shares, int Samples)> ReadAsync()
    {
        await _perf.WaitForExitAsync();
        var counts = Stages.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var samples = 0;
        var others = new Dictionary<string, int>(StringComparer.Ordinal);
        var jitCallers = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(List<string> frames)
        {
            var stage = StageOf(frames);
            counts[stage]++;
            samples++;
            if (stage == "other")
            {
                var leaf = LeafName(frames[0]);
                others[leaf] = others.GetValueOrDefault(leaf) + 1;
            }
            else if (stage == "JIT")
            {
                // What asked for the compilation: the first frame outside the runtime and the JIT.
                var caller = frames.FirstOrDefault(f => !f.Contains("libclrjit.so", StringComparison.Ordinal)
                    && !f.Contains("libcoreclr.so", StringComparison.Ordinal) && !f.Contains("[unknown]", StringComparison.Ordinal)
                    && !f.Contains("[kernel.kallsyms]", StringComparison.Ordinal));
                var name = caller is null ? "(no managed caller)" : LeafName(caller);
                jitCallers[name] = jitCallers.GetValueOrDefault(name) + 1;
            }
        }

        var script = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "script", "-i", _data, "--pid", _pids, "-F", "ip,sym,dso" })
        {
            script.ArgumentList.Add(argument);
        }

        using (var reading = Process.Start(script)!)
        {
            _ = reading.StandardError.ReadToEndAsync();
            var frames = new List<string>();
            while (await reading.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Length == 0)
                {
                    if (frames.Count > 0)
                    {
                        Count(frames);
                        frames.Clear();
                    }

                    continue;
                }

                frames.Add(line);
            }

            if (frames.Count > 0)
            {
                Count(frames);
            }

            await reading.WaitForExitAsync();
        }

        File.Delete(_data);
        Others = others.OrderByDescending(o => o.Value).Take(8).Select(o => (o.Key, samples == 0 ? 0 : (double)o.Value / samples)).ToList();
        JitCallers = jitCallers.OrderByDescending(o => o.Value).Take(8).Select(o => (o.Key, samples == 0 ? 0 : (double)o.Value / samples)).ToList();
        return (counts.ToDictionary(c => c.Key, c => samples == 0 ? 0 : (double)c.Value / samples, StringComparer.Ordinal), samples);
    }

    /// <summary>The most frequent leaf functions of the samples no stage names, with their shares: what to classify next.</summary>
    public IReadOnlyList<(string Leaf, double Share)> Others { get; private set; } = [];

    /// <summary>What the JIT's samples were compiling for: the first frame outside the runtime, with their shares.</summary>
    public IReadOnlyList<(string Caller, double Share)> JitCallers { get; private set; } = [];

    // "    7f0a1b2c3d4e SomeMethod+0x1f (/path/lib.so)" -> "SomeMethod (lib.so)"
    private static string LeafName(string frame)
    {
        var text = frame.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        text = space < 0 ? text : text[(space + 1)..];
        var dso = text.LastIndexOf(" (", StringComparison.Ordinal);
        var symbol = dso < 0 ? text : text[..dso];
        var plus = symbol.LastIndexOf("+0x", StringComparison.Ordinal);
        symbol = plus < 0 ? symbol : symbol[..plus];
        var library = dso < 0 ? string.Empty : Path.GetFileName(text[(dso + 2)..].TrimEnd(')'));
        return $"{symbol} ({library})";
    }

    /// <summary>The stage of one sample, from its frames (leaf first).</summary>
    internal static string StageOf(IReadOnlyList<string> frames)
    {
        foreach (var (stage, patterns) in WholeStack)
        {
            if (frames.Any(frame => patterns.Any(p => frame.Contains(p, StringComparison.Ordinal))))
            {
                return stage;
            }
        }

        // The runtime's own code (the collector, allocation, casts, stubs) is its own stage whoever called it.
        if (frames[0].Contains("libcoreclr.so", StringComparison.Ordinal))
        {
            return "runtime (GC, allocation, type checks)";
        }

        foreach (var frame in frames)
        {
            foreach (var (stage, patterns) in FromLeaf)
            {
                if (patterns.Any(p => frame.Contains(p, StringComparison.Ordinal)))
                {
                    return stage;
                }
            }
        }

        return frames.All(frame => frame.Contains("[kernel.kallsyms]", StringComparison.Ordinal) || frame.Contains("[unknown]", StringComparison.Ordinal))
            ? "kernel, no managed caller"
            : "other";
    }

}
