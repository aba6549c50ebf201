using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// <c>chaos</c>: silos on a persisted Redis, clients that reconnect as a browser's EventSource does, and async
/// invocations posted to every silo at a steady rate, while one fault at a time is injected and healed. After each
/// fault the scenario waits for every accepted result and checks the invariants: each delivered exactly once (or
/// reported to its client as a <c>gap</c>), per-client order kept (ids only rise), silo memory bounded (its peak
/// is reported). Exits non-zero when a result is lost, duplicated or out of order.
/// </summary>
internal static class ChaosScenario
{
    public static readonly string[] Every = ["kill", "gray", "redis-restart", "redis-pause", "redis-full", "hang", "slowing", "storm"];

    public static async Task<IReadOnlyList<ChaosPhase>> RunAsync(Options options)
    {
        var siloCount = options.Int("silos", 3);
        var clientCount = options.Int("clients", 30);
        var rate = options.Int("rate", 40);
        var phase = options.Seconds("phase", 15);
        var grayPause = options.Seconds("gray-pause", 30);
        var faults = options.Text("faults", string.Join(',', Every)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (faults.Except(Every).ToList() is { Count: > 0 } unknown)
        {
            throw new ArgumentException($"unknown fault(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Every)}");
        }

        var redisData = Directory.CreateTempSubdirectory("chaos-redis-");
        try
        {
            await using var stub = await StubFunctionServer.StartAsync();
            await using var cluster = await LoadCluster.StartAsync("chaos", siloCount, redisDataDirectory: redisData.FullName);
            await RegisterAsync(cluster.Silos[0].BaseAddress, stub);
            var world = new ChaosWorld(cluster, clientCount);
            try
            {
                await world.ConnectAllAsync();
                Console.WriteLine($"{siloCount} silos, {clientCount} clients, {rate} async invocations/s; faults: {string.Join(", ", faults)}");
                var phases = new List<ChaosPhase>();
                foreach (var fault in faults)
                {
                    phases.Add(await world.RunPhaseAsync(fault, rate, phase, grayPause));
                    Console.WriteLine($"{fault}: {phases[^1]}");
                }

                var orderErrors = world.OrderErrors();
                phases = [.. phases.Select(p => p with { OrderErrors = orderErrors })];
                await ReportAsync(phases, options, siloCount, clientCount, rate, phase);
                return phases;
            }
            finally
            {
                await world.DisposeAsync();
            }
        }
        finally
        {
            redisData.Delete(recursive: true);
        }
    }

    private static async Task RegisterAsync(Uri silo, StubFunctionServer stub)
    {
        using var http = new HttpClient { BaseAddress = silo, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var (name, path, timeout) in new[] { ("echo", "echo", "10s"), ("hang", "hang", "2s"), ("slowing", "slowing/chaos", "3s") })
        {
            (await http.PostAsJsonAsync("admin/functions", new { name, endpoint = stub.Url(path).ToString(), timeout })).EnsureSuccessStatusCode();
        }
    }

    private static async Task ReportAsync(List<ChaosPhase> phases, Options options, int silos, int clients, int rate, TimeSpan phase)
    {
        Console.WriteLine();
        Console.WriteLine($"{"fault",-14} {"accepted",9} {"delivered",10} {"lost",5} {"dup",4} {"gap",4} {"order",6} {"unanswered",11} {"p99 ms",8} {"peak RSS MB",12}");
        foreach (var p in phases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Fault,-14} {p.Accepted,9} {p.Delivered,10} {p.Lost,5} {p.Duplicated,4} {p.Gaps,4} {p.OrderErrors,6} {p.Unanswered,11} {p.Latency.P99,8:0} {p.PeakSiloRssMb,12:0}"));
        }

        var rows = phases.Select(p => new ResultRow(p.Fault, p.Delivered, p.Lost + p.Duplicated, Math.Round(p.Accepted / phase.TotalSeconds, 1), p.Latency, new()
        {
            ["accepted"] = p.Accepted,
            ["lost"] = p.Lost,
            ["duplicated"] = p.Duplicated,
            ["gaps"] = p.Gaps,
            ["order_errors"] = p.OrderErrors,
            ["unanswered"] = p.Unanswered,
            ["peak_silo_rss_mb"] = p.PeakSiloRssMb,
        })).ToList();
        await Report.WriteAsync("chaos", rows, new() { ["silos"] = silos, ["clients"] = clients, ["rate"] = rate, ["phase_s"] = phase.TotalSeconds }, options.Text("out", null!));
    }
}

/// <summary>What one fault did: accepted results and what became of them, the latency from invoke to delivery, memory.</summary>
internal sealed record ChaosPhase(
    string Fault, int Accepted, int Delivered, int Lost, int Duplicated, int Gaps, int OrderErrors, int Unanswered, LatencySummary Latency, double PeakSiloRssMb)
{
    public bool Kept => Lost == 0 && Duplicated == 0 && OrderErrors == 0;

    /// <summary>Why invocations were not accepted: HTTP status, "refused" (no connection) or "timeout", with counts.</summary>
    public string UnansweredWhy { get; init; } = string.Empty;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"accepted {Accepted}, delivered {Delivered}, lost {Lost}, duplicated {Duplicated}, gaps {Gaps}, unanswered {Unanswered} ({UnansweredWhy}), peak silo RSS {PeakSiloRssMb:0} MB");
}
