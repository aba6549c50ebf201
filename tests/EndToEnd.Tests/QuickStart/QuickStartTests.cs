using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.QuickStart;

/// <summary>
/// The README's quick start, run as a reader would on a fresh clone: its commands are read from README.md and run with
/// bash, and what they print is checked against what the README promises. Only the ports differ (free ones in place of
/// 8080 and the others), so a silo a developer left running cannot get in the way.
/// </summary>
[Collection(FreshCloneGroup.Name)]
public sealed partial class QuickStartTests(FreshCheckout checkout)
{
    /// <summary>A first build on two busy cores; generous, since the tests run beside it.</summary>
    private static readonly TimeSpan BuildAndStart = TimeSpan.FromMinutes(20);

    private static readonly TimeSpan OneCommand = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_quick_start_runs_as_written_and_every_call_succeeds()
    {
        var port = FreePort.Next();
        var ports = new Dictionary<int, int> { [8080] = port };
        var run = Assert.Single(ReadmeBlocks.BashBlocksFrom(checkout.Readme, "## The two commands"), b => b.Contains("dotnet run", StringComparison.Ordinal));
        await using var silo = ShellScript.Start(run, checkout.Root, new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["SILO_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });
        await WaitUntilReadyAsync(port, silo, () => silo.HasExited);

        var blocks = ReadmeBlocks.BashBlocksFrom(checkout.Readme, "## Try it").Select(b => ReadmeBlocks.WithPorts(b, ports)).ToList();
        var streamBlock = Assert.Single(blocks, IsClientStream);
        await using var stream = ShellScript.Start(streamBlock, checkout.Root);
        await Eventually.UntilAsync(() => Task.FromResult(stream.Output.Contains("event: connected", StringComparison.Ordinal)), "the client's stream to open");

        foreach (var block in blocks.Where(b => b != streamBlock))
        {
            var output = await ShellScript.RunAsync(block, checkout.Root, OneCommand);
            AssertNoFailure(block, output);
            if (block.Contains("\"endpoints\"", StringComparison.Ordinal))
            {
                await AssertTwoEndpointsAsync(block, output);
            }
            else if (block.Contains("\"async\":true", StringComparison.Ordinal))
            {
                Assert.Contains("\"status\":\"accepted\"", output, StringComparison.Ordinal);
                foreach (var text in ReadmeBlocks.SentTexts(block))
                {
                    await Eventually.UntilAsync(
                        () => Task.FromResult(Results(stream.Output).Any(r => r.Contains(Quoted(text.ToUpperInvariant()), StringComparison.Ordinal))),
                        $"the async result for '{text}' on the client's stream");
                }
            }
            else if (block.Contains("/invoke/", StringComparison.Ordinal) && !IsStreaming(block))
            {
                Assert.Contains("\"success\":true", output, StringComparison.Ordinal);
                foreach (var text in ReadmeBlocks.SentTexts(block))
                {
                    Assert.Contains(Quoted(text.ToUpperInvariant()), output, StringComparison.Ordinal);
                }
            }

            if (IsStreaming(block))
            {
                AssertStreamedEveryWord(block, output);
            }
        }

        Assert.DoesNotContain("\"success\":false", stream.Output, StringComparison.Ordinal);
    }

    /// <summary>The <c>function_response</c> events a client's stream received.</summary>
    private static IEnumerable<string> Results(string stream) =>
        stream.Split("\n\n").Where(e => e.Contains("event: function_response", StringComparison.Ordinal) && e.Contains("\"success\":true", StringComparison.Ordinal));

    private static bool IsClientStream(string block) =>
        ReadmeBlocks.Commands(block) is [var only] && only.StartsWith("curl -N", StringComparison.Ordinal) && only.Contains("/sse/", StringComparison.Ordinal);

    private static bool IsStreaming(string block) =>
        block.Contains("/mcp/stream", StringComparison.Ordinal) || block.Contains("text/event-stream", StringComparison.Ordinal);

    private static string Quoted(string text) => "\"" + text + "\"";

    /// <summary>No call answered with a problem, a failed invocation or a failed stream.</summary>
    private static void AssertNoFailure(string block, string output)
    {
        var context = $"{block}\n---\n{output}";
        Assert.False(ProblemStatus().IsMatch(output), "A call was refused:\n" + context);
        Assert.False(output.Contains("\"success\":false", StringComparison.Ordinal), "An invocation failed:\n" + context);
        Assert.False(output.Contains("event: error", StringComparison.Ordinal), "A stream failed:\n" + context);
        Assert.False(output.Contains("curl: (", StringComparison.Ordinal), "curl could not connect:\n" + context);
    }

    /// <summary>Each streaming call yields every word it sent as its own <c>result</c>, then one <c>complete</c>.</summary>
    private static void AssertStreamedEveryWord(string block, string output)
    {
        var streams = ReadmeBlocks.Commands(block).Where(IsStreaming).ToList();
        Assert.Equal(streams.Count, Regex.Count(output, "^event: complete$", RegexOptions.Multiline));
        foreach (var command in streams)
        {
            var words = QueryText().Match(command) is { Success: true } query
                ? query.Groups["q"].Value.Split('+')
                : ReadmeBlocks.SentTexts(command).SelectMany(t => t.Split(' '));
            foreach (var word in words)
            {
                Assert.Contains($"\"word\":\"{word}\"", output, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The function registered with two endpoints reports both healthy, as the README shows, once checks ran.</summary>
    private async Task AssertTwoEndpointsAsync(string block, string output)
    {
        Assert.Contains("\"status\":\"healthy\"", output, StringComparison.Ordinal); // /admin/health
        var details = Assert.Single(ReadmeBlocks.Commands(block), c => c.StartsWith("curl http", StringComparison.Ordinal) && c.Contains("/admin/functions/", StringComparison.Ordinal));
        await Eventually.UntilAsync(
            async () =>
            {
                using var answer = JsonDocument.Parse(await ShellScript.RunAsync(details, checkout.Root, OneCommand, standardOutputOnly: true));
                var health = answer.RootElement.GetProperty("health").EnumerateArray().ToList();
                return health.Count == 2 && health.All(h => h.GetProperty("state").GetString() == "healthy");
            },
            "both endpoints of the two-endpoint function to be healthy");
    }

    /// <summary>Waits until the silo on <paramref name="port"/> is ready; fails at once when <paramref name="gaveUp"/>.</summary>
    internal static async Task WaitUntilReadyAsync(int port, ShellScript script, Func<bool> gaveUp)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(
            async () =>
            {
                if (gaveUp())
                {
                    throw new InvalidOperationException($"The silo on port {port} will not start:\n{script.Output}");
                }

                return (await http.GetAsync("health/ready")).IsSuccessStatusCode;
            },
            $"the silo on port {port} to be ready",
            BuildAndStart);
    }

    [GeneratedRegex("\"status\":[45][0-9][0-9]")]
    private static partial Regex ProblemStatus();

    [GeneratedRegex(@"[?&]q=(?<q>[^&""]+)")]
    private static partial Regex QueryText();
}
