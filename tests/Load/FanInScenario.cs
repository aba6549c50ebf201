using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>fanin</c>: a two-silo cluster (Redis), N clients holding streams on silo A, and async invocations sent to
/// silo B at a fixed rate, each for one client. Latency is from sending the invoke to reading its
/// <c>function_response</c> on A, minus the function's own time (the event's <c>duration_ms</c>). Every result must
/// arrive exactly once. A warm-up at the same rate comes first (tiered JIT takes seconds to settle) and is not
/// measured. Each result's latency is also split at the moment the stub function received the call: before it
/// (HTTP, acceptance into the client's ledger, dispatch) and after it (the result's storage and its way to the socket).
/// </summary>
internal static class FanInScenario
{
    /// <summary>Connections the invoking client may open to silo B: plenty for 2,000/s at a few ms each.</summary>
    private const int MaxInvokeConnections = 512;

    public static async Task<FanInResult> RunAsync(Options options)
    {
        var clients = options.Int("clients", 1000);
        var rate = options.Int("rate", 1000);
        var duration = options.Seconds("duration", 10);
        var warmup = options.Seconds("warmup", 5);
        var profile = options.Text("profile", "false") == "true";
        var gc = options.Text("gc", "server");
        if (gc is not ("server" or "workstation"))
        {
            throw new ArgumentException($"--gc must be server or workstation, not '{gc}'.");
        }

        // First, on a quiet machine: YARP at the same rate, the yardstick for the silos' CPU per invocation.
        var yarp = options.Text("beside-yarp", "false") == "true"
            ? await YarpAtRate.MeasureAsync(rate, options.Seconds("yarp-warmup", 30), duration)
            : null;

        await using var stub = await StubFunctionServer.StartAsync();

        // The silos run server GC unless told otherwise; with --profile the runtime names JIT-compiled methods for
        // perf (/tmp/perf-<pid>.map).
        var environment = new Dictionary<string, string?> { ["DOTNET_gcServer"] = gc == "workstation" ? "0" : "1" };
        foreach (var (key, value) in SiloEnvironment.Parse(options.Text("silo-env", "")))
        {
            environment[key] = value;
        }

        if (profile)
        {
            environment["DOTNET_PerfMapEnabled"] = "1";
            environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        await using var cluster = await LoadCluster.StartAsync("load", 2, environment);
        var clusterId = cluster.ClusterId;
        var (a, b) = (cluster.Silos[0], cluster.Silos[1]);
        // Bounded: when the cluster falls behind, invokes wait here for a connection instead of opening one socket each
        // (tens of thousands, until the machine runs out of file descriptors and a process dies).
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxInvokeConnections })
        {
            BaseAddress = b.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        (await http.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() })).EnsureSuccessStatusCode();

        var stages = new Stages(stub);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        using var stop = new CancellationTokenSource();
        using var streamsHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = a.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var connected = 0;
        var redisBeforeConnects = await RedisCommandStats.ReadAsync(cluster.Redis.Address);
        var readers = Enumerable.Range(0, clients).Select(i => Task.Run(() => ReadAsync(streamsHttp, $"load-{clusterId}-{i}", stages, seen, () => Interlocked.Increment(ref connected), stop.Token))).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref connected) == clients), $"{clients} streams to open", TimeSpan.FromMinutes(2));
        var perConnect = (await RedisCommandStats.ReadAsync(cluster.Redis.Address)).Since(redisBeforeConnects, clients);
        Console.WriteLine($"{clients} clients connected to silo A; invoking on silo B at {rate}/s, {warmup.TotalSeconds} s warm-up then {duration.TotalSeconds} s measured");

        long sent = 0, refused = 0, unanswered = 0;
        var inflight = new List<Task>();
        using var progress = new Timer(_ => Console.Write($"\rsent {Interlocked.Read(ref sent)}, received {seen.Count}   "), null, 1000, 1000);
        Task SendAsync(TimeSpan length) => TickedRate.RunAsync(rate, length, () =>
        {
            var n = Interlocked.Increment(ref sent);
            var client = $"load-{clusterId}-{n % clients}";
            inflight.Add(InvokeAsync(http, client, n, () => Interlocked.Increment(ref refused), () => Interlocked.Increment(ref unanswered)));
        });

        await SendAsync(warmup);
        stages.MeasureFrom = Interlocked.Read(ref sent) + 1;
        var cpuAtStart = ProcessCpu.Seconds(a.Pid) + ProcessCpu.Seconds(b.Pid);
        var redisAtStart = await RedisCommandStats.ReadAsync(cluster.Redis.Address);
        var cpuWindow = Stopwatch.StartNew();
        var sampling = profile ? StageProfile.Start([a.Pid, b.Pid], duration) : null;
        await SendAsync(duration);
        await Task.WhenAll(inflight);
        // An invoke that got no answer in time may still have been accepted: its result counts when it arrives, and is not
        // counted lost when it does not.
        var accepted = sent - refused - unanswered;
        await Eventually.UntilAsync(() => Task.FromResult(seen.Count >= accepted), "every accepted result to arrive", TimeSpan.FromMinutes(1)).ContinueWith(_ => { });

        // Both silos' CPU over the measured part (heartbeats and audits included), per invocation: steadier than latency.
        // The window ends when the last result arrives; it is reported with the figure, as a lost result stretches it.
        var measured = sent - stages.MeasureFrom + 1;
        if (cluster.Silos.FirstOrDefault(silo => silo.HasExited) is { } dead)
        {
            throw new InvalidOperationException($"Silo {dead.HttpPort} exited during the run; its log: {dead.LogFile}");
        }

        var cpuPerInvocation = Math.Round((ProcessCpu.Seconds(a.Pid) + ProcessCpu.Seconds(b.Pid) - cpuAtStart) * 1e6 / measured, 1);
        var cpuWindowSeconds = Math.Round(cpuWindow.Elapsed.TotalSeconds, 1);
        var perInvocation = (await RedisCommandStats.ReadAsync(cluster.Redis.Address)).Since(redisAtStart, measured);
        await stop.CancelAsync();
        await Task.WhenAll(readers).ContinueWith(_ => { });
        var duplicates = seen.Values.Count(v => v > 1);
        var lost = Math.Max(0, accepted - seen.Count);
        Console.WriteLine();
        var row = new ResultRow($"{clients} clients, {rate}/s", seen.Count, lost + refused, Math.Round(measured / duration.TotalSeconds, 1), stages.Total.Summarize(),
            new Dictionary<string, double> { ["duplicates"] = duplicates, ["lost"] = lost, ["refused"] = refused, ["unanswered"] = unanswered, ["silos_cpu_us_per_invocation"] = cpuPerInvocation, ["cpu_window_s"] = cpuWindowSeconds }
                .Concat(perInvocation.ToExtra("per_invocation_")).Concat(perConnect.ToExtra("per_connect_")).ToDictionary());
        var byStage = sampling is null ? null : await ReportStagesAsync(sampling, cpuPerInvocation, row, clients, rate, options);
        var rows = new List<ResultRow>
        {
            row,
            new("  invoke -> function called", stages.ToFunction.Count, 0, 0, stages.ToFunction.Summarize()),
            new("  function called -> socket", stages.FromFunction.Count, 0, 0, stages.FromFunction.Summarize()),
        };
        var yarpCpu = yarp?.Extra?.GetValueOrDefault("server_cpu_us_per_call");
        if (yarp is not null)
        {
            rows.Add(yarp);
        }

        var plot = options.Text("plot", Path.Combine(Environment.CurrentDirectory, "fanin-latency.svg"));
        await SvgChart.WriteAsync(plot, $"Fan-in latency percentiles ({clients} clients, {rate}/s)", "percentile", "ms",
            [("latency", stages.Total.Percentiles().Select(p => (p.Percentile, p.Milliseconds)).ToList())]);
        Console.WriteLine($"plot: {plot}");
        Console.WriteLine($"the silos spent {cpuPerInvocation} µs of CPU per invocation ({cpuWindowSeconds} s measured)");
        if (byStage is not null)
        {
            Console.WriteLine(byStage);
        }

        if (yarpCpu is { } perCall)
        {
            Console.WriteLine($"beside it, YARP forwarding to an nginx stub at the same {rate}/s: {perCall} µs of CPU per call; the silos took {Math.Round(cpuPerInvocation / perCall, 2)}× that per invocation");
        }

        Console.WriteLine($"per invocation: {perInvocation}");
        Console.WriteLine($"per connect: {perConnect}");
        if (unanswered > 0)
        {
            Console.WriteLine($"{unanswered} invokes got no answer within {http.Timeout.TotalSeconds} s: the cluster did not keep up with {rate}/s");
        }

        await Report.WriteAsync("fanin", rows, new() { ["clients"] = clients, ["rate"] = rate, ["duration_s"] = duration.TotalSeconds, ["warmup_s"] = warmup.TotalSeconds, ["gc"] = gc }, options.Text("out", null!));
        return new FanInResult(accepted, seen.Count, duplicates, refused + unanswered, yarp);
    }

    /// <summary>
    /// The profile's shares as microseconds per invocation: printed, kept in the result file (<c>stage_us_*</c>), and
    /// plotted beside the stages of an earlier result file (<c>--compare</c>).
    /// </summary>
    private static async Task<string> ReportStagesAsync(StageProfile sampling, double cpuPerInvocation, ResultRow row, int clients, int rate, Options options)
    {
        var plot = options.Text("stages-plot", Path.Combine(Environment.CurrentDirectory, "fanin-stages.svg"));
        var (microseconds, text) = await sampling.DescribeAsync(cpuPerInvocation, "invocation", plot);
        foreach (var (stage, us) in microseconds)
        {
            row.Extra![StageProfile.KeyOf(stage)] = us;
        }

        var runs = new List<(string, Dictionary<string, double>)> { (options.Text("label", "this run"), microseconds) };
        if (options.Text("compare", null!) is { } earlier)
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(earlier));
            var extra = document.RootElement.GetProperty("results")[0].GetProperty("extra");
            var before = StageProfile.Stages.ToDictionary(
                s => s, s => extra.TryGetProperty(StageProfile.KeyOf(s), out var v) ? v.GetDouble() : 0, StringComparer.Ordinal);
            runs.Insert(0, (options.Text("compare-label", Path.GetFileNameWithoutExtension(earlier)), before));
        }

        await SvgChart.WriteBarsAsync(plot, $"Silo CPU per async invocation by stage ({clients} clients, {rate}/s)", "µs of silo CPU per invocation", StageProfile.Stages, runs);
        return text;
    }

    private static async Task InvokeAsync(HttpClient http, string client, long n, Action refused, Action unanswered)
    {
        var payload = new { payload = new { n, sent = Stopwatch.GetTimestamp(), sent_utc = DateTimeOffset.UtcNow.UtcTicks }, client_id = client, @async = true };
        try
        {
            using var response = await http.PostAsJsonAsync("invoke/echo", payload);
            if (!response.IsSuccessStatusCode)
            {
                refused();
            }
        }
        catch (HttpRequestException)
        {
            refused();
        }
        catch (TaskCanceledException)
        {
            // HttpClient's timeout: an overloaded cluster is a result to report, not a reason to stop the run.
            unanswered();
        }
    }

    private static async Task ReadAsync(
        HttpClient http, string clientId, Stages stages, System.Collections.Concurrent.ConcurrentDictionary<long, int> seen, Action connected, CancellationToken stop)
    {
        try
        {
            using var response = await http.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead, stop);
            await using var body = await response.Content.ReadAsStreamAsync(stop);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(stop))
            {
                if (item.EventType == "connected")
                {
                    connected();
                    continue;
                }

                if (item.EventType != "function_response")
                {
                    continue;
                }

                var now = Stopwatch.GetTimestamp();
                var nowUtc = DateTimeOffset.UtcNow;
                using var document = JsonDocument.Parse(item.Data);
                var root = document.RootElement;
                var payload = root.GetProperty("data").GetProperty("payload");
                var n = payload.GetProperty("n").GetInt64();
                seen.AddOrUpdate(n, 1, (_, c) => c + 1);
                stages.Record(
                    n,
                    root.GetProperty("request_id").GetString()!,
                    (now - payload.GetProperty("sent").GetInt64()) * 1000.0 / Stopwatch.Frequency,
                    root.GetProperty("duration_ms").GetDouble(),
                    new DateTimeOffset(payload.GetProperty("sent_utc").GetInt64(), TimeSpan.Zero),
                    nowUtc);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

/// <summary>The measured results' latencies, whole and split at the moment the stub function received the call.</summary>
internal sealed class Stages(StubFunctionServer stub)
{
    /// <summary>Results of invocations numbered below this were sent during the warm-up.</summary>
    public long MeasureFrom { get; set; } = long.MaxValue;

    public LatencyRecorder Total { get; } = new();

    public LatencyRecorder ToFunction { get; } = new();

    public LatencyRecorder FromFunction { get; } = new();

    public void Record(long n, string requestId, double totalMs, double functionMs, DateTimeOffset sentUtc, DateTimeOffset receivedUtc)
    {
        if (n < MeasureFrom)
        {
            return;
        }

        Total.Record(Math.Max(0, totalMs - functionMs));
        if (stub.Calls.TryGetValue(requestId, out var call))
        {
            ToFunction.Record(Math.Max(0, (call.At - sentUtc).TotalMilliseconds));
            // From the moment the stub had the call: its answer, the result's storage and delivery (the stub answers
            // at once, so nothing of the function's own time is in here).
            FromFunction.Record(Math.Max(0, (receivedUtc - call.At).TotalMilliseconds));
        }
    }
}

/// <param name="Yarp">With <c>--beside-yarp</c>: YARP's run at the same rate (<see cref="YarpAtRate"/>).</param>
internal sealed record FanInResult(long Accepted, int Received, int Duplicates, long Refused, ResultRow? Yarp = null);
