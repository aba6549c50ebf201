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

    public static Task<BaselineProcess> StartYarpAsync(NginxStub stub, IReadOnlyDictionary<string, string?> environment) => BaselineProcess.StartAsync(
        "YarpProxy", ["--destination", new Uri(stub.Url, "/").ToString()], environment,
        async baseAddress => await AnswersAsync(new Uri(baseAddress, "fn")));

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

