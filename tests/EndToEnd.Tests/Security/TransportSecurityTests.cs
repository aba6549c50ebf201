using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>TLS on the wires, each with a certificate the test makes.</summary>
public sealed class TransportSecurityTests
{
    [Fact]
    public async Task The_front_end_serves_https_with_http2_so_sse_streams_share_one_connection()
    {
        using var certificates = TestCertificates.Create();
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?>
        {
            ["TLS_CERT_PATH"] = certificates.CertPath("server"),
            ["TLS_KEY_PATH"] = certificates.KeyPath("server"),
        });
        using var expected = X509Certificate2.CreateFromPem(File.ReadAllText(certificates.CertPath("server")));
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected.RawData);
        using var http = new HttpClient(handler)
        {
            BaseAddress = silo.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var health = await http.GetAsync("admin/health");
        Assert.Equal(HttpVersion.Version20, health.Version);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // Ten streams at once over the one HTTP/2 connection (HTTP/1.1 browsers stop at six per origin).
        var streams = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            http.GetAsync($"sse/h2-{i}", HttpCompletionOption.ResponseHeadersRead)));
        try
        {
            Assert.All(streams, s => Assert.Equal((HttpVersion.Version20, HttpStatusCode.OK), (s.Version, s.StatusCode)));
        }
        finally
        {
            Array.ForEach(streams, s => s.Dispose());
        }

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HttpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("admin/health"));
    }

    [Fact]
    public async Task A_silo_keeps_its_state_in_redis_over_tls_with_a_password_and_refuses_a_server_outside_its_ca()
    {
        using var certificates = TestCertificates.Create();
        await using var redis = await TlsRedisServer.StartAsync(certificates, "redis-" + Guid.NewGuid().ToString("N")[..12]);
        var clusterId = "redis-tls-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = redis.Address,
            ["REDIS_PASSWORD"] = redis.Password,
            ["REDIS_TLS_CA_PATH"] = certificates.CertPath("ca"),
            ["CLUSTER_ID"] = clusterId,
            ["SERVICE_ID"] = clusterId,
            ["Functions__AllowLoopback"] = "true",
        };

        await using (var silo = await SiloProcess.StartAsync(environment))
        {
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            using var created = await http.PostAsJsonAsync("admin/functions", new { name = "over-tls", endpoint = "http://127.0.0.1:9/x" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var health = await http.GetFromJsonAsync<JsonElement>("admin/health");
            Assert.Equal("redis", health.GetProperty("storage").GetString());
        }

        await using (var reader = await redis.ConnectAsync())
        {
            var keys = reader.GetServer(reader.GetEndPoints()[0]).Keys(pattern: "*over-tls*").ToList();
            Assert.NotEmpty(keys);
        }

        // Trusting another CA (the front-end certificate stands in for one), the silo cannot reach its storage.
        environment["REDIS_TLS_CA_PATH"] = certificates.CertPath("server");
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var distrustful = await SiloProcess.StartAsync(environment);
        });
    }
}
