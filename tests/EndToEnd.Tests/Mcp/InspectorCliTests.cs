namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>The MCP Inspector's CLI (2.12.0), as a user would run it against the cluster.</summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class InspectorCliTests(McpFixture mcp)
{
    [Fact]
    public async Task The_Inspector_CLI_lists_the_clusters_tools_and_calls_a_remote_servers_tool()
    {
        var echo = await mcp.RegisterToolAsync("echo", "inspected");

        var listed = await InspectorAsync("--method", "tools/list");
        Assert.Contains($"\"name\": \"{echo}\"", listed, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"modern_echo\"", listed, StringComparison.Ordinal);

        var called = await InspectorAsync("--method", "tools/call", "--tool-name", "modern_echo", "--tool-arg", "text=inspector");
        Assert.Contains("modern: inspector", called, StringComparison.Ordinal);
    }

    private async Task<string> InspectorAsync(params string[] arguments)
    {
        var (exitCode, output, errors) = await TestInfrastructure.NodeProcess.RunAsync(
            new[] { "node_modules/.bin/mcp-inspector", "--cli", mcp.McpB.ToString(), "--transport", "http" }.Concat(arguments), TimeSpan.FromSeconds(90));
        Assert.True(exitCode == 0, $"The Inspector CLI failed ({exitCode}): {errors}");
        return output;
    }
}
