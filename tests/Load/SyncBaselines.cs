using System.Diagnostics;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// The reverse proxies the silo's sync path is compared with, each forwarding to the same nginx stub: nginx itself
/// (one worker, keep-alive to the stub) and YARP (<c>Baselines/YarpProxy</c>, its documented catch-all setup).
/// </summary>
internal static class SyncBaselines
{
    public static Task<NginxProcess> StartNginxProxyAsync(NginxStub stub) => NginxProcess.StartAsync(
        port => $$"""
            keepalive_requests 1000000;
            upstream stub {
                server 127.0.0.1:{{stub.Url.Port}};
                keepalive 256;
                keepalive_requests 1000000;
            }
            server {
                listen 127.0.0.1:{{port}} backlog=4096;
                location / {
                    proxy_pass http://stub;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                }
            }
            """,
        async baseAddress => await AnswersAsync(new Uri(baseAddress, "fn")),
        workerConnections: 4096);

    public static async Task<YarpProcess> StartYarpAsync(NginxStub stub)
    {
        var assembly = Path.Combine(RepositoryPaths.Root, "tests", "Load", "Baselines", "YarpProxy", "bin", RepositoryPaths.Configuration,
            "net10.0", "SseVirtualization.YarpProxy.dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"The YARP baseline is not built: {assembly} (build tests/Load)");
        }

        var port = FreePort.Next();
        var destination = new Uri(stub.Url, "/").ToString();
        var start = new ProcessStartInfo("dotnet", [assembly, "--urls", $"http://127.0.0.1:{port}", "--destination", destination])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var yarp = new YarpProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (yarp.Process.HasExited)
                {
                    throw new InvalidOperationException("YARP exited: " + await yarp.Process.StandardError.ReadToEndAsync());
                }

                return await AnswersAsync(new Uri(yarp.BaseAddress, "fn"));
            }, "YARP to answer", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await yarp.DisposeAsync();
            throw;
        }

        return yarp;
    }

    private static async Task<bool> AnswersAsync(Uri url)
    {
        try
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await probe.PostAsync(url, new StringContent("{}"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

/// <summary>The YARP baseline's process; killed on dispose.</summary>
internal sealed class YarpProcess(Process process, Uri baseAddress) : IAsyncDisposable
{
    public Process Process { get; } = process;

    public Uri BaseAddress { get; } = baseAddress;

    public int Pid => Process.Id;

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }
}
