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

    /// <summary>nginx with the deployed proxy settings, balancing over the given silos.</summary>
    private static class NginxServer
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
}
