using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// Debian's nginx with the deployed proxy settings (<c>deploy/nginx/sse-proxy.conf</c>), listening on 127.0.0.1 and
/// balancing over the given silos, which it reaches from 127.0.0.1.
/// </summary>
internal static class DeployedNginx
{
    public static Task<NginxProcess> StartAsync(params int[] siloPorts)
    {
        var include = Path.Combine(RepositoryPaths.Root, "deploy", "nginx", "sse-proxy.conf");
        var upstreams = string.Concat(siloPorts.Select(p => $"server 127.0.0.1:{p};\n"));
        return NginxProcess.StartAsync(
            port => $$"""
                upstream silos { {{upstreams}} keepalive 16; }
                server {
                    listen 127.0.0.1:{{port}};
                    include {{include}};
                }
                """,
            async baseAddress =>
            {
                using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
                return (await probe.GetAsync("health/live")).IsSuccessStatusCode;
            });
    }
}
