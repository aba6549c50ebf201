using System.Diagnostics;
using System.Text.RegularExpressions;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// The official MCP conformance suite (0.1.16, server mode, <c>--suite all</c>: 32 scenarios), with no baseline.
/// Its fixtures (test tools, prompts, resources, completions) live on the upstream fixture server, registered as
/// <c>fixture</c>: the suite passes against that server itself, and passes the same through the layer, which must
/// forward all of it transparently.
/// </summary>
[Collection(McpCollectionDefinition.Name)]
public sealed partial class ConformanceTests(McpFixture mcp, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Scenarios = 32;

    [Fact]
    public async Task Every_scenario_of_the_official_suite_passes_against_the_upstream_fixture_server()
    {
        await AssertEveryScenarioPassesAsync(mcp.Fixture.McpUrl);
    }

    [Fact]
    public async Task Every_scenario_passes_through_the_layer_with_a_sessions_streams_on_one_silo_and_its_posts_on_the_other()
    {
        // GET (standalone and resumed streams) and DELETE reach silo A, every POST silo B.
        await using var proxy = await SplitProxy.StartAsync(getTarget: mcp.SiloA.BaseAddress, postTarget: mcp.SiloB.BaseAddress);

        await AssertEveryScenarioPassesAsync(proxy.McpUrl);
    }

    private async Task AssertEveryScenarioPassesAsync(Uri url)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = McpClientsFolder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "conformance.sh", url.ToString(), "--suite", "all" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var all = await stdout;
        output.WriteLine(all);
        output.WriteLine(await stderr);
        // conformance.sh ends with its own per-scenario table: "scenario  PASS|FAIL ..." lines and "N/M scenarios pass".
        var at = all.LastIndexOf("=== conformance summary", StringComparison.Ordinal);
        var summary = at >= 0 ? all[at..] : all[Math.Max(0, all.Length - 6000)..];
        var count = PassCount().Match(summary);
        Assert.True(count.Success, "no conformance summary:\n" + summary);
        Assert.True(
            process.ExitCode == 0 && count.Groups["pass"].Value == count.Groups["all"].Value && int.Parse(count.Groups["all"].Value, System.Globalization.CultureInfo.InvariantCulture) == Scenarios,
            $"expected {Scenarios}/{Scenarios} scenarios to pass (exit code {process.ExitCode}):\n{summary}");
        Assert.DoesNotMatch(@"(?m)^\S+\s+FAIL\b", summary);
    }

    [GeneratedRegex(@"(?m)^(?<pass>\d+)/(?<all>\d+) scenarios pass")]
    private static partial Regex PassCount();
}
