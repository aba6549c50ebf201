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
    private const string OurCode = "our code (gateway, grains)";
    private const string Dispatch = "sockets, thread-pool dispatch";

    /// <summary>Stages in the order they are reported; a sample that names none of them is "other".</summary>
    public static readonly IReadOnlyList<string> Stages =
    [
        "JIT", "runtime (GC, allocation, type checks)", "thread pool: idle workers", "storage (Redis client)", "HTTP out (function calls)", "HTTP in, SSE out (Kestrel, ASP.NET Core)",
        "Orleans messaging and scheduling", "Orleans serialization", OurCode, "telemetry (metrics, traces, logs)",
        Dispatch, "kernel, no managed caller", "other",
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
        (OurCode, ["SseVirtualization"]),
        ("Orleans messaging and scheduling", ["Orleans"]),
    ];

    // Checked over the whole stack after every stage above: socket and thread-pool frames sit under (and above) every
    // caller's, so they take only the samples no caller claims.
    private static readonly string[] DispatchPatterns = ["System.Net.Sockets", "System.Threading.ThreadPool", "PortableThreadPool", "System.Threading.ExecutionContext"];

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
        var byFrame = new Dictionary<(string Stage, string Frame), int>();
        void Count(List<string> frames)
        {
            var stage = StageOf(frames);
            counts[stage]++;
            samples++;
            if ((stage == Dispatch ? DispatchPatterns : FromLeaf.FirstOrDefault(s => s.Stage == stage).Patterns) is { } patterns)
            {
                // Which method of the stage: its first frame from the leaf, so each is charged what it does itself.
                var frame = MethodName(frames.First(f => Names(f, patterns)));
                byFrame[(stage, frame)] = byFrame.GetValueOrDefault((stage, frame)) + 1;
            }

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

        // SSE_PERF_KEEP=1 keeps the recording for a closer look (perf report -i FILE --pid PID).
        if (Environment.GetEnvironmentVariable("SSE_PERF_KEEP") == "1")
        {
            Console.WriteLine($"perf data kept: {_data} (pids {_pids})");
        }
        else
        {
            File.Delete(_data);
        }

        Others = others.OrderByDescending(o => o.Value).Take(8).Select(o => (o.Key, samples == 0 ? 0 : (double)o.Value / samples)).ToList();
        TopMethods = byFrame.GroupBy(f => f.Key.Stage).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<(string, double)>)g.OrderByDescending(f => f.Value).Take(4).Select(f => (f.Key.Frame, samples == 0 ? 0 : (double)f.Value / samples)).ToList(),
            StringComparer.Ordinal);
        JitCallers = jitCallers.OrderByDescending(o => o.Value).Take(8).Select(o => (o.Key, samples == 0 ? 0 : (double)o.Value / samples)).ToList();
        return (counts.ToDictionary(c => c.Key, c => samples == 0 ? 0 : (double)c.Value / samples, StringComparer.Ordinal), samples);
    }

    /// <summary>The most frequent leaf functions of the samples no stage names, with their shares: what to classify next.</summary>
    public IReadOnlyList<(string Leaf, double Share)> Others { get; private set; } = [];

    /// <summary>Per stage, its most frequent methods (the stage's first frame from the leaf), with their shares of all samples.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(string Method, double Share)>> TopMethods { get; private set; } =
        new Dictionary<string, IReadOnlyList<(string Method, double Share)>>();

    /// <summary>What the JIT's samples were compiling for: the first frame outside the runtime, with their shares.</summary>
    public IReadOnlyList<(string Caller, double Share)> JitCallers { get; private set; } = [];

    // "7f0a instance void [Asm] Ns.Type+<ReadAsync>d__1`1[System.__Canon]::MoveNext()[OptimizedTier1] (perf-1.map)" ->
    // "Type.ReadAsync"; a frame that is not a JIT-compiled method keeps its leaf name.
    internal static string MethodName(string frame)
    {
        var text = LeafName(frame);
        var separator = text.IndexOf("::", StringComparison.Ordinal);
        if (separator < 0)
        {
            return text;
        }

        var method = text[(separator + 2)..];
        method = method[..Math.Max(0, method.IndexOf('(', StringComparison.Ordinal))];
        var type = text[..separator];
        type = type[(type.LastIndexOf(' ') + 1)..];
        if (type.StartsWith('['))
        {
            type = type[(type.IndexOf(']', StringComparison.Ordinal) + 1)..]; // "[Assembly]Type", as in a parameter's type
        }

        type = type[..InstantiatedAt(type)];

        // An async state machine, Outer+<Name>d__N (or a lambda's, Outer+<>c+<<Name>b__1_0>d): charged to Outer.Name.
        type = type.Replace("+<>c", "", StringComparison.Ordinal);
        var machine = type.LastIndexOf("+<", StringComparison.Ordinal);
        if (machine > 0 && method == "MoveNext")
        {
            var name = type[(machine + 2)..].TrimStart('<');
            method = name[..name.IndexOf('>', StringComparison.Ordinal)];
            type = type[..machine];
        }

        var plus = type.IndexOf('+', StringComparison.Ordinal);
        var outer = plus < 0 ? type : type[..plus];
        return $"{outer[(outer.LastIndexOf('.') + 1)..]}{(plus < 0 ? "" : type[plus..])}.{method}";
    }

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

    /// <summary>
    /// Whether a frame's own method is in one of <paramref name="patterns"/>: for a JIT-compiled method its assembly, type and
    /// name, not its signature (our endpoint returning an ASP.NET Core <c>IResult</c> is our code, not ASP.NET Core's).
    /// </summary>
    private static bool Names(string frame, string[] patterns)
    {
        var identity = Identity(frame);
        foreach (var pattern in patterns)
        {
            if (identity.Contains(pattern, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // "7f0a instance class [System.Runtime]X [Asm] Ns.Type`1[Arg]::Method(class [Other]Y)[OptimizedTier1] (perf-1.map)" ->
    // "[Asm] Ns.Type`1::Method": not its signature, nor the types it is instantiated over (a runtime box of our state
    // machine, AsyncStateMachineBox`1[..., Ours+<X>d__1], is the runtime's); a native frame is all identity (its library
    // names it).
    private static string Identity(string frame)
    {
        var separator = frame.IndexOf("::", StringComparison.Ordinal);
        if (separator < 0 || !frame.EndsWith(".map)", StringComparison.Ordinal))
        {
            return frame;
        }

        var open = frame.IndexOf('(', separator);
        var head = frame.AsSpan(0, open < 0 ? frame.Length : open);
        var typeStart = head[..separator].LastIndexOf(' ') + 1;
        var assemblyStart = typeStart >= 2 ? head[..(typeStart - 1)].LastIndexOf(' ') + 1 : typeStart;
        return string.Concat(head[assemblyStart..(typeStart + InstantiatedAt(head[typeStart..separator]))], head[separator..]);
    }

    // Where a type name's instantiation ("Type`1[A,B[C]]") begins: the '[' that matches its last ']'; its length when none.
    private static int InstantiatedAt(ReadOnlySpan<char> type)
    {
        if (type.IsEmpty || type[^1] != ']')
        {
            return type.Length;
        }

        var depth = 0;
        for (var i = type.Length - 1; i > 0; i--)
        {
            depth += type[i] switch { ']' => 1, '[' => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }

        return type.Length;
    }

    /// <summary>The stage of one sample, from its frames (leaf first).</summary>
    internal static string StageOf(IReadOnlyList<string> frames)
    {
        foreach (var (stage, patterns) in WholeStack)
        {
            if (frames.Any(frame => Names(frame, patterns)))
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
                if (Names(frame, patterns))
                {
                    return stage;
                }
            }
        }

        if (frames.Any(frame => Names(frame, DispatchPatterns)))
        {
            return Dispatch;
        }

        return frames.All(frame => frame.Contains("[kernel.kallsyms]", StringComparison.Ordinal) || frame.Contains("[unknown]", StringComparison.Ordinal))
            ? "kernel, no managed caller"
            : "other";
    }

    /// <summary>The key under which a stage's microseconds are kept in a result file's <c>extra</c>.</summary>
    public static string KeyOf(string stage) =>
        "stage_us_" + string.Concat(stage.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')).Trim('_').Replace("__", "_", StringComparison.Ordinal);

    /// <summary>
    /// Reads the samples and returns them as microseconds per operation by stage (the shares times
    /// <paramref name="cpuPerOperation"/>), with the lines that print them.
    /// </summary>
    public async Task<(Dictionary<string, double> Microseconds, string Text)> DescribeAsync(double cpuPerOperation, string what, string plot)
    {
        var (shares, samples) = await ReadAsync();
        var microseconds = shares.ToDictionary(s => s.Key, s => Math.Round(s.Value * cpuPerOperation, 1), StringComparer.Ordinal);
        var lines = new System.Text.StringBuilder($"where the CPU went, per {what} ({samples} perf samples; plot: {plot}):");
        foreach (var stage in Stages)
        {
            lines.Append(CultureInfo.InvariantCulture, $"\n  {stage,-42} {microseconds[stage],8:0.0} µs  {shares[stage],6:P1}");
            if (TopMethods.TryGetValue(stage, out var methods))
            {
                lines.Append("\n      ").AppendJoin("; ", methods.Select(m => $"{m.Method} {m.Share:P1}"));
            }
        }

        if (JitCallers.Count > 0)
        {
            lines.Append("\n  JIT, by the first frame outside the runtime: ").AppendJoin("; ", JitCallers.Select(o => $"{o.Caller} {o.Share:P1}"));
        }

        if (Others.Count > 0)
        {
            lines.Append("\n  \"other\", by the function the samples were in: ").AppendJoin("; ", Others.Select(o => $"{o.Leaf} {o.Share:P1}"));
        }

        return (microseconds, lines.ToString());
    }
}
