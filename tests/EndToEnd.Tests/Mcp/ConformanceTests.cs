using System.Diagnostics;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// The official MCP conformance suite (0.1.16, server mode, every scenario) against <c>/mcp</c>. Scenarios that
/// need a fixture tool, prompt or resource the layer does not host stand in <c>tests/McpClients/conformance-baseline.yml</c>
/// with their reasons; the suite fails on any other failure and on a baseline entry that passes.
/// </summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class ConformanceTests(McpFixture mcp, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Every_protocol_scenario_of_the_official_suite_passes()
    {
        // The suite's tool scenarios call tools by fixed names: those the layer can host are functions here.
        await RegisterFixtureToolAsync("test_simple_text", "text");
        await RegisterFixtureToolAsync("test_error_handling", "status/500");
        await RegisterFixtureToolAsync("test_reconnection", "slow/2500"); // outlives Mcp:PollAfter: SEP-1699 polling
        await RegisterFixtureToolAsync("json_schema_2020_12_tool", "echo", new Dictionary<string, object>
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["$defs"] = new { address = new { type = "object", properties = new { street = new { type = "string" }, city = new { type = "string" } } } },
            ["properties"] = new Dictionary<string, object> { ["name"] = new { type = "string" }, ["address"] = new Dictionary<string, string> { ["$ref"] = "#/$defs/address" } },
            ["additionalProperties"] = false,
        });

        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = McpClientsFolder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "conformance.sh", mcp.McpA.ToString(), "--suite", "all", "--expected-failures", "conformance-baseline.yml" })
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

        var summary = await stdout;
        output.WriteLine(summary);
        output.WriteLine(await stderr);
        Assert.True(process.ExitCode == 0, "conformance failures beyond the baseline:\n" + summary[Math.Max(0, summary.Length - 6000)..]);
        foreach (var required in new[] { "server-initialize", "ping", "tools-list", "logging-set-level", "server-sse-polling", "server-sse-multiple-streams", "dns-rebinding-protection" })
        {
            Assert.Matches($@"(?m)^{required}\s+PASS\b", summary);
        }
    }

    private async Task RegisterFixtureToolAsync(string name, string stubPath, object? inputSchema = null) => await mcp.RegisterAsync(new()
    {
        ["name"] = name,
        ["endpoint"] = mcp.Stub.Url(stubPath).ToString(),
        ["description"] = $"Conformance fixture tool {name}",
        ["retry"] = false,
        ["input_schema"] = inputSchema ?? new { type = "object", properties = new { } },
    });
}
