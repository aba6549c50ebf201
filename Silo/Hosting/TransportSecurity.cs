using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StackExchange.Redis;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// TLS on the wires: browsers to Kestrel (HTTPS + HTTP/2), silos to each other and clients to silos (mutual TLS
/// with the cluster certificate), and silo to Redis (docs/security.md, transport security).
/// </summary>
internal static class TransportSecurity
{
    public static X509Certificate2 LoadPem(string certPath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        // Re-imported so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>
    /// HTTPS with HTTP/1.1 and HTTP/2: over HTTP/2 a browser's SSE streams share one connection, instead of
    /// HTTP/1.1's six per origin.
    /// </summary>
    public static void UseHttps(ListenOptions listen, X509Certificate2 certificate)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(certificate);
    }

    /// <summary>
    /// Mutual TLS on every Orleans connection (silo to silo, client to gateway) with the cluster certificate:
    /// each side presents it and accepts only a peer that presents the same one.
    /// </summary>
    public static void UseClusterTls(ISiloBuilder silo, X509Certificate2 certificate)
    {
        var host = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
        silo.UseTls(certificate, options =>
        {
            options.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, _, _) => IsClusterCertificate(remote, certificate);
            // Silos dial each other by IP address; the name checked is the certificate's own.
            options.OnAuthenticateAsClient = (_, client) => client.TargetHost = host;
        });
    }

    /// <summary>The same certificate (not merely one from the same issuer): its raw bytes match.</summary>
    public static bool IsClusterCertificate(X509Certificate2? remote, X509Certificate2 cluster) =>
        remote is not null && remote.RawDataMemory.Span.SequenceEqual(cluster.RawDataMemory.Span);

    /// <summary>Redis over TLS (<c>ssl=true</c>) with a server certificate that must chain to the given CA.</summary>
    public static void TrustRedisCa(ConfigurationOptions redis, string caPath)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        // Only the configured CA counts (not the system's roots); intermediates the server sent may complete the chain.
        redis.CertificateValidation += (_, certificate, presented, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
            {
                foreach (var element in presented.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(leaf);
        };
    }
}
