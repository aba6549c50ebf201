using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>Debian's nginx, with the proxy settings from <c>deploy/nginx/sse-proxy.conf</c>, in front of the two silos.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class NginxTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Streams_and_invocations_pass_through_the_deployed_nginx_configuration_unbuffered()
    {
        await using var nginx = await NginxServer.StartAsync(cluster.SiloA.HttpPort, cluster.SiloB.HttpPort);
        using var http = new HttpClient { BaseAddress = nginx.BaseAddress };
        var function = await cluster.RegisterAsync("echo", via: http);
        var clientId = "via-nginx-" + Guid.NewGuid().ToString("N")[..8];

        await using var sse = await SseClient.ConnectAsync(nginx.BaseAddress, $"sse/{clientId}");
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);

        // The SSE location of the deployed configuration answered (it also tells proxies further out not to buffer).
        Assert.Equal("no", sse.Response.Headers.GetValues("X-Accel-Buffering").Single());
        await sse.NextOfTypeAsync("connected", TimeSpan.FromSeconds(10));

        using var invoked = await http.PostAsJsonAsync($"invoke/{function}", new { payload = new { via = "nginx" }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var result = await sse.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(10));
        Assert.Equal("nginx", JsonDocument.Parse(result.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("via").GetString());
        await sse.NextOfTypeAsync("heartbeat", TimeSpan.FromSeconds(10));
    }

    private sealed class NginxServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private NginxServer(Process process, string directory, int port)
        {
            _process = process;
            _directory = directory;
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        }

        public Uri BaseAddress { get; }

        public static async Task<NginxServer> StartAsync(params int[] siloPorts)
        {
            var directory = Directory.CreateTempSubdirectory("sse-nginx-").FullName;
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111); // workers write temp files here
            }
            var port = FreePort.Next();
            var include = Path.Combine(RepositoryPaths.Root, "deploy", "nginx", "sse-proxy.conf");
            var upstreams = string.Concat(siloPorts.Select(p => $"server 127.0.0.1:{p};\n"));
            await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
                worker_processes 1;
                daemon off;
                pid {{directory}}/nginx.pid;
                error_log {{directory}}/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{directory}}/body;
                    proxy_temp_path {{directory}}/proxy;
                    fastcgi_temp_path {{directory}}/fastcgi;
                    uwsgi_temp_path {{directory}}/uwsgi;
                    scgi_temp_path {{directory}}/scgi;
                    upstream silos { {{upstreams}} keepalive 16; }
                    server {
                        listen 127.0.0.1:{{port}};
                        include {{include}};
                    }
                }
                """);
            var start = new ProcessStartInfo("nginx", ["-p", directory, "-c", Path.Combine(directory, "nginx.conf")])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("nginx is not installed: run the test script (scripts/test.sh), which installs it.", ex);
            }

            var server = new NginxServer(process, directory, port);
            using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("nginx exited: " + await process.StandardError.ReadToEndAsync());
                }

                return (await probe.GetAsync("health/live")).IsSuccessStatusCode;
            }, "nginx to proxy to the silos");
            return server;
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
}
