using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace SseVirtualization.TestInfrastructure;

/// <summary>A redis-server that speaks only TLS (no plain port) and requires a password, with the test's certificates.</summary>
public sealed class TlsRedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private readonly X509Certificate2 _ca;

    private TlsRedisServer(Process process, int port, string password, X509Certificate2 ca)
    {
        _process = process;
        _ca = ca;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>The StackExchange.Redis configuration string a silo uses (TLS on, host name checked against the certificate).</summary>
    public string Address => $"127.0.0.1:{Port},ssl=true,sslHost=localhost";

    public static async Task<TlsRedisServer> StartAsync(TestCertificates certificates, string password)
    {
        var port = FreePort.Next();
        var arguments = $"--port 0 --tls-port {port} --bind 127.0.0.1 --save \"\" --appendonly no --requirepass {password} " +
            $"--tls-cert-file \"{certificates.CertPath("redis")}\" --tls-key-file \"{certificates.KeyPath("redis")}\" " +
            $"--tls-ca-cert-file \"{certificates.CertPath("ca")}\" --tls-auth-clients no";
        var process = Process.Start(new ProcessStartInfo("redis-server", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(certificates.CertPath("ca")));
        var server = new TlsRedisServer(process, port, password, ca);
        await Eventually.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server (TLS) exited with code {process.ExitCode}");
                }

                try
                {
                    await using var connection = await server.ConnectAsync();
                    return connection.IsConnected;
                }
                catch (RedisConnectionException)
                {
                    return false;
                }
            },
            $"redis-server (TLS) on port {port}");
        return server;
    }

    /// <summary>A test-side connection that trusts the test's CA.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(Address);
        options.Password = Password;
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 2000;
        options.CertificateValidation += (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is not null && chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        _ca.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
