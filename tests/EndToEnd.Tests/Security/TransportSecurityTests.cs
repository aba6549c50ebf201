using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SseVirtualization.EndToEnd.Tests.Reliability;
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
}
