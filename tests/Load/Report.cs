using System.Globalization;
using System.Text.Json;

namespace SseVirtualization.Load;

/// <summary>The summary table on the console and the JSON result file.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="latencyTable">Print the latency table (scenarios without latencies print their own).</param>
    public static async Task WriteAsync(string scenario, IReadOnlyList<ResultRow> rows, Dictionary<string, object> settings, string? path, bool latencyTable = true)
    {
        if (latencyTable)
        {
            PrintLatencies(rows);
        }

        path ??= Path.Combine(Environment.CurrentDirectory, $"load-{scenario}-{DateTime.UtcNow:yyyyMMddTHHmmss}.json");
        var document = new
        {
            scenario,
            machine = new { Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            at = DateTimeOffset.UtcNow,
            settings,
            results = rows,
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Json));
        Console.WriteLine($"results: {path}");
    }

    private static void PrintLatencies(IReadOnlyList<ResultRow> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{"target",-28} {"ok",9} {"failed",7} {"rate/s",10} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8}");
        foreach (var row in rows)
        {
            var l = row.Latency;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Target,-28} {row.Succeeded,9} {row.Failed,7} {row.RatePerSecond,10:0} {l.P50,8:0.00} {l.P90,8:0.00} {l.P99,8:0.00} {l.Max,8:0.0}"));
        }
    }
}

internal sealed record ResultRow(string Target, long Succeeded, long Failed, double RatePerSecond, LatencySummary Latency, Dictionary<string, double>? Extra = null);
