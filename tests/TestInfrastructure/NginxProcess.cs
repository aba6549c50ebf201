using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Debian's nginx in the foreground with a configuration of its own in a temporary directory: the caller gives
/// the inside of the <c>http</c> block (for a free port), and a probe that says when it is ready.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private NginxProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The master process; its worker is its child.</summary>
    public int Pid => _process.Id;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <param name="httpBlock">The directives inside <c>http { }</c>, given the port to listen on.</param>
    /// <param name="ready">True once nginx answers as intended.</param>
    /// <param name="workerConnections">nginx's <c>worker_connections</c>.</param>
    public static async Task<NginxProcess> StartAsync(Func<int, string> httpBlock, Func<Uri, Task<bool>> ready, int workerConnections = 256)
    {
        var directory = Directory.CreateTempSubdirectory("sse-nginx-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111); // workers write temp files here
        }

        var port = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections {{workerConnections}}; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                {{httpBlock(port)}}
            }
            """);
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("nginx", ["-p", directory, "-c", Path.Combine(directory, "nginx.conf")])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("nginx is not installed: run the test script (scripts/test.sh), which installs it.", ex);
        }

        var nginx = new NginxProcess(process, directory, port);
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("nginx exited: " + await process.StandardError.ReadToEndAsync());
            }

            return await ready(nginx.BaseAddress);
        }, "nginx to answer");
        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
