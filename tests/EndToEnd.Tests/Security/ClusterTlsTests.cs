using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using SseVirtualization.Functions;
using SseVirtualization.TestInfrastructure;
using StackExchange.Redis;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// Mutual TLS between silos and from backend clients (CLUSTER_TLS_CERT_PATH / CLUSTER_TLS_KEY_PATH): only holders of
/// the cluster certificate join the cluster or call grains, with a certificate the test makes.
/// </summary>
public sealed class ClusterTlsTests
{
    [Fact]
    public async Task Only_holders_of_the_cluster_certificate_join_the_cluster_or_call_its_grains()
    {
        using var certificates = TestCertificates.Create();
        certificates.AddSelfSigned("intruder", "localhost"); // same subject, another key: must not pass
        await using var redis = await RedisServer.StartAsync();
        await using var stub = await StubFunctionServer.StartAsync();
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..10];
        Dictionary<string, string?> Environment(string certificate)
        {
            var environment = ClusterFixture.SiloEnvironment(redis, clusterId);
            environment["CLUSTER_TLS_CERT_PATH"] = certificates.CertPath(certificate);
            environment["CLUSTER_TLS_KEY_PATH"] = certificates.KeyPath(certificate);
            return environment;
        }

        var silos = await Task.WhenAll(SiloProcess.StartAsync(Environment("server")), SiloProcess.StartAsync(Environment("server")));
        await using var siloA = silos[0];
        await using var siloB = silos[1];
        using var a = new HttpClient { BaseAddress = siloA.BaseAddress };
        using var b = new HttpClient { BaseAddress = siloB.BaseAddress };
        await ClusterFixture.WaitForActiveSilosAsync(a, 2);

        // The silo port speaks TLS with the cluster certificate.
        using var cluster = X509Certificate2.CreateFromPem(File.ReadAllText(certificates.CertPath("server")));
        Assert.True((await PresentedCertificateAsync(siloA.SiloPort))?.RawData.AsSpan().SequenceEqual(cluster.RawData));

        // Results still cross silos: invoked through B, delivered to a client held by A.
        using (var registered = await b.PostAsJsonAsync("admin/functions", new { name = "tls-echo", endpoint = stub.Url("echo").ToString(), headers = new { Authorization = "Bearer cluster-tls-secret" } }))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        // With the cluster certificate, the Data Protection key ring is itself encrypted in Redis.
        await using (var raw = await ConnectionMultiplexer.ConnectAsync(redis.Address))
        {
            var keys = await raw.GetDatabase().ListRangeAsync(clusterId + ":data-protection-keys");
            Assert.NotEmpty(keys);
            Assert.All(keys, key =>
            {
                Assert.Contains("<encryptedSecret", key.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain("<masterKey", key.ToString(), StringComparison.Ordinal);
            });
        }

        await using (var sse = await SseClient.ConnectAsync(siloA.BaseAddress, "sse/tls-client"))
        {
            await sse.NextOfTypeAsync("connected");
            using var invoked = await b.PostAsJsonAsync("invoke/tls-echo", new { payload = new { over = "tls" }, client_id = "tls-client", @async = true });
            Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
            Assert.Contains("\"over\":\"tls\"", (await sse.NextOfTypeAsync("function_response")).Data, StringComparison.Ordinal);
        }

        // A silo with another certificate cannot reach the members: its start-up fails, and it never becomes one.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(Environment("intruder")));
        Assert.Contains("Failed to get ping responses", refused.Message, StringComparison.Ordinal);
        using (var health = JsonDocument.Parse(await a.GetStringAsync("admin/health")))
        {
            Assert.Equal(2, health.RootElement.GetProperty("cluster").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active"));
        }

        // A backend client with the certificate calls grains; one without it cannot connect.
        using var trusted = await StartClientAsync(redis, clusterId, certificates.Load("server"));
        Assert.Contains("tls-echo", await trusted.Services.GetRequiredService<IClusterClient>().GetGrain<IFunctionRegistryGrain>(0).ListAsync());
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            // Without TLS the gateway's handshake never completes: the client cannot start (a trusted one starts in ~1 s).
            using var plain = await StartClientAsync(redis, clusterId, certificate: null, TimeSpan.FromSeconds(20));
            await plain.Services.GetRequiredService<IClusterClient>().GetGrain<IFunctionRegistryGrain>(0).ListAsync();
        });
    }

    /// <summary>The certificate a TLS server on the port presents (the handshake may then fail: it wants ours too).</summary>
    private static async Task<X509Certificate2?> PresentedCertificateAsync(int port)
    {
        X509Certificate2? presented = null;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return presented is not null; // only recorded here; the test compares it with the cluster certificate
        });
        try
        {
            await tls.AuthenticateAsClientAsync("localhost").WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            // Refused for lack of a client certificate, after the server showed its own.
        }

        return presented;
    }

    private static async Task<IHost> StartClientAsync(RedisServer redis, string clusterId, X509Certificate2? certificate, TimeSpan? startDeadline = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(20));
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.Address));
            if (certificate is not null)
            {
                var pkcs12 = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
                client.UseTls(pkcs12, options =>
                {
                    options.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    options.RemoteCertificateValidation = (remote, _, _) => remote is not null && remote.RawData.AsSpan().SequenceEqual(pkcs12.RawData);
                    options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = "localhost";
                });
            }
        });
        var host = builder.Build();
        using var deadline = new CancellationTokenSource(startDeadline ?? TimeSpan.FromSeconds(60));
        await host.StartAsync(deadline.Token);
        return host;
    }
}
