using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>Debian's nginx, with the proxy settings from <c>deploy/nginx/sse-proxy.conf</c>, in front of two silos.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class NginxTests(ClusterFixture cluster)
{
    private const string AdminKey = "nginx-admin-key-0123456789abcdef";

    [Fact]
    public async Task Streams_and_invocations_pass_through_the_deployed_nginx_configuration_unbuffered()
    {
        // Two silos of their own (the shared cluster's Redis and stub), with an admin key: nginx forwards every request,
        // and a forwarded request is never the keyless mode's local caller, so registering and invoking need the key.
        var environment = ClusterFixture.SiloEnvironment(cluster.Redis, "nginx-" + Guid.NewGuid().ToString("N")[..12]);
        environment["Security__ApiKeys__0__Name"] = "ops";
        environment["Security__ApiKeys__0__Hash"] = Security.SecuredSilo.Hash(AdminKey);
        environment["Security__ApiKeys__0__Role"] = "admin";
        await using var first = await SiloProcess.StartAsync(environment);
        await using var second = await SiloProcess.StartAsync(environment);
        foreach (var silo in new[] { first, second })
        {
            using var direct = WithKey(silo.BaseAddress);
            await ClusterFixture.WaitForActiveSilosAsync(direct, 2);
        }

        await using var nginx = await DeployedNginx.StartAsync(first.HttpPort, second.HttpPort);
        using var http = WithKey(nginx.BaseAddress);
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

    private static HttpClient WithKey(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }
}
