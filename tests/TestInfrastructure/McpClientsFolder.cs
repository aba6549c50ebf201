namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// <c>tests/McpClients</c>: the Node.js side of the MCP tests (the official TypeScript SDK client driver, the
/// reference server-everything and the conformance suite), installed by the test command with <c>npm ci</c>.
/// </summary>
public static class McpClientsFolder
{
    public static string Path { get; } = System.IO.Path.Combine(RepositoryPaths.Root, "tests", "McpClients");

    /// <summary>Fails with the fix when <c>npm ci</c> has not run.</summary>
    public static void EnsureInstalled()
    {
        if (!Directory.Exists(System.IO.Path.Combine(Path, "node_modules", "@modelcontextprotocol", "sdk")))
        {
            throw new InvalidOperationException($"The Node MCP packages are not installed; run: npm ci --prefix {Path} (scripts/test.sh does).");
        }
    }
}
