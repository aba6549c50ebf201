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

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = McpClientsFolder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // loopback-shim binds it to 127.0.0.1 (it has no host option of its own).
        foreach (var argument in new[] { "--import", "./loopback-shim.mjs", "node_modules/@modelcontextprotocol/server-everything/dist/index.js", "streamableHttp" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await WaitListeningAsync(http);
        }
        catch
        {
            Stop();
            throw;
        }
    }

    private Task WaitListeningAsync(HttpClient http) =>
        Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(McpUrl);
                    return true; // any HTTP answer means it listens
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            },
            "server-everything listening",
            TimeSpan.FromSeconds(30));

    private void Stop()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                if (!process.WaitForExit(30_000))
                {
                    throw new InvalidOperationException("server-everything did not exit after kill");
                }
            }

            process.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
