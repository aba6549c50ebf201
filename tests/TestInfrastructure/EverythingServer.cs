using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// <c>@modelcontextprotocol/server-everything</c>, the reference MCP server, in Streamable HTTP mode on a loopback
/// port (<c>/mcp</c>). <see cref="RestartAsync"/> kills it and starts it again on the same port: every session it
/// had is gone.
/// </summary>
public sealed class EverythingServer : IAsyncDisposable
{
    private Process? _process;

    private EverythingServer(int port) => Port = port;

    public int Port { get; }

    public Uri McpUrl => new($"http://127.0.0.1:{Port}/mcp");

    public static async Task<EverythingServer> StartAsync()
    {
        McpClientsFolder.EnsureInstalled();
        var server = new EverythingServer(FreePort.Next());
        await server.LaunchAsync();
        return server;
    }

    public async Task RestartAsync()
    {
        Stop();
        await LaunchAsync();
    }

    // loopback-shim binds it to 127.0.0.1 (it has no host option of its own).
    private async Task LaunchAsync() => _process = await NodeProcess.StartServerAsync(
        ["--import", "./loopback-shim.mjs", "node_modules/@modelcontextprotocol/server-everything/dist/index.js", "streamableHttp"], Port, McpUrl, "server-everything");

    private void Stop()
    {
        if (_process is { } process)
        {
            _process = null;
            NodeProcess.Stop(process, "server-everything");
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
