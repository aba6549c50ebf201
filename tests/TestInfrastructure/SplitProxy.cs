using System.Diagnostics;
using System.Globalization;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// <c>tests/McpClients/split-proxy.mjs</c> on a loopback port: GET and DELETE go to one target, POST (and any other
/// method) to the other, with method, path, query and every header (Host and Origin too) as received and the bodies
/// streamed both ways. In front of two silos it puts an MCP session's streams on one silo and its posts on the other.
/// </summary>
public sealed class SplitProxy : IAsyncDisposable
{
    private readonly Process _process;

    private SplitProxy(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public Uri McpUrl => new(BaseAddress, "mcp");

    /// <param name="getTarget">Where GET and DELETE go (scheme, host and port; the path of each request is kept).</param>
    /// <param name="postTarget">Where POST and every other method go.</param>
    public static async Task<SplitProxy> StartAsync(Uri getTarget, Uri postTarget)
    {
        McpClientsFolder.EnsureInstalled();
        var port = FreePort.Next();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = McpClientsFolder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "split-proxy.mjs", "--get", Origin(getTarget), "--post", Origin(postTarget), "--port", port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && e.Data.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("split-proxy.mjs exited: " + stderr));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new SplitProxy(process, port);
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }

        return proxy;
    }

    private static string Origin(Uri target) => target.GetLeftPart(UriPartial.Authority);

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        _process.Dispose();
    }
}
