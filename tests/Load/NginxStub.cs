using System.Diagnostics;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// The fastest function we can stand up: Debian's nginx answering a fixed JSON body to any POST, so the
/// baseline measures the load tool and the network, not a stub's own work.
/// </summary>
internal sealed class NginxStub : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private NginxStub(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = new Uri($"http://127.0.0.1:{port}/fn");
    }

    public Uri Url { get; }

    public static async Task<NginxStub> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("sse-load-nginx-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111); // nginx workers write temp files here
        }

        var port = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                keepalive_requests 1000000;
                server {
                    listen 127.0.0.1:{{port}} backlog=4096;
                    location / {
                        default_type application/json;
                        return 200 '{"ok":true,"source":"nginx"}';
                    }
                }
            }
            """);
        var process = Process.Start(new ProcessStartInfo("nginx", ["-p", directory, "-c", Path.Combine(directory, "nginx.conf")])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("nginx did not start (apt-get install -y nginx)");
        var stub = new NginxStub(process, directory, port);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("nginx exited: " + await process.StandardError.ReadToEndAsync());
            }

            return (await probe.PostAsync(stub.Url, new StringContent("{}"))).IsSuccessStatusCode;
        }, "the nginx stub to answer");
        return stub;
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
