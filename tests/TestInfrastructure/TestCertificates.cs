using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SseVirtualization.TestInfrastructure;

/// <summary>Self-signed certificates made by the test, written as PEM files for the silo's TLS settings.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>A CA and a server certificate it signs (for Redis), plus a self-signed one (for the front end and the cluster).</summary>
    public static TestCertificates Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sse-certs-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var certificates = new TestCertificates(directory);
        using var self = SelfSigned("localhost");
        certificates.Write("server", self);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=sse-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        certificates.Write("ca", ca);
        using var leafKey = RSA.Create(2048);
        var leafRequest = Request("localhost", leafKey);
        using var leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certificates.CertPath("redis"), leaf.ExportCertificatePem());
        File.WriteAllText(certificates.KeyPath("redis"), leafKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    /// <summary>Writes one more self-signed certificate (e.g. an intruder's, with the same subject as the cluster's).</summary>
    public void AddSelfSigned(string name, string host)
    {
        using var certificate = SelfSigned(host);
        Write(name, certificate);
    }

    public string CertPath(string name) => Path.Combine(Directory, name + ".crt");

    public string KeyPath(string name) => Path.Combine(Directory, name + ".key");

    public X509Certificate2 Load(string name) => X509Certificate2.CreateFromPemFile(CertPath(name), KeyPath(name));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private void Write(string name, X509Certificate2 certificate)
    {
        File.WriteAllText(CertPath(name), certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath(name), certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    private static X509Certificate2 SelfSigned(string host)
    {
        using var key = RSA.Create(2048);
        return Request(host, key).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    private static CertificateRequest Request(string host, RSA key)
    {
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request;
    }
}
