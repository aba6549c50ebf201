using Microsoft.Extensions.Configuration;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Where the silo listens and what it clusters with. Read from flat environment variables (the Go project's
/// <c>PORT</c>, <c>REDIS_ADDR</c>, <c>REDIS_PASSWORD</c>, plus ours) or the same keys in appsettings.json.
/// </summary>
internal sealed class SiloHostingOptions
{
    /// <summary>HTTP port of the front end.</summary>
    [ConfigurationKeyName("PORT")]
    public int HttpPort { get; set; } = 8080;

    /// <summary>Address the HTTP front end binds (loopback unless told otherwise).</summary>
    [ConfigurationKeyName("BIND_ADDRESS")]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Orleans silo-to-silo port.</summary>
    [ConfigurationKeyName("SILO_PORT")]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port (backend services connect here).</summary>
    [ConfigurationKeyName("GATEWAY_PORT")]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// IP (or host name, resolved at start-up) other silos and clients reach this silo on (Redis clustering
    /// only). Unset: Fly.io's <c>FLY_PRIVATE_IP</c> or Kubernetes' <c>POD_IP</c> when present, else loopback.
    /// </summary>
    [ConfigurationKeyName("ADVERTISED_IP")]
    public string? AdvertisedIp { get; set; }

    [ConfigurationKeyName("FLY_PRIVATE_IP")]
    public string? FlyPrivateIp { get; set; }

    [ConfigurationKeyName("POD_IP")]
    public string? PodIp { get; set; }

    /// <summary>Use Microsoft.Orleans.Hosting.Kubernetes (pod name, namespace and IP; removes dead pods' silos).</summary>
    [ConfigurationKeyName("KUBERNETES_HOSTING")]
    public bool KubernetesHosting { get; set; }

    /// <summary><c>host:port</c> of Redis; when empty the silo runs alone with in-memory state.</summary>
    [ConfigurationKeyName("REDIS_ADDR")]
    public string? RedisAddress { get; set; }

    [ConfigurationKeyName("REDIS_PASSWORD")]
    public string? RedisPassword { get; set; }

    /// <summary>Silos with the same cluster id (and Redis) form one cluster.</summary>
    [ConfigurationKeyName("CLUSTER_ID")]
    public string ClusterId { get; set; } = "sse-virtualization";

    /// <summary>Names the service's stored state; keep it stable across deployments.</summary>
    [ConfigurationKeyName("SERVICE_ID")]
    public string ServiceId { get; set; } = "sse-virtualization";

    /// <summary>PEM certificate for HTTPS (with HTTP/2) on the front end; with <see cref="TlsKeyPath"/>.</summary>
    [ConfigurationKeyName("TLS_CERT_PATH")]
    public string? TlsCertPath { get; set; }

    [ConfigurationKeyName("TLS_KEY_PATH")]
    public string? TlsKeyPath { get; set; }

    /// <summary>
    /// PEM certificate of the cluster (with <see cref="ClusterTlsKeyPath"/>): silo-to-silo and client-to-silo
    /// connections use mutual TLS, and a peer must present this same certificate, so only its holders join the
    /// cluster or call grains directly.
    /// </summary>
    [ConfigurationKeyName("CLUSTER_TLS_CERT_PATH")]
    public string? ClusterTlsCertPath { get; set; }

    [ConfigurationKeyName("CLUSTER_TLS_KEY_PATH")]
    public string? ClusterTlsKeyPath { get; set; }

    /// <summary>PEM CA certificate that Redis's TLS certificate must chain to (with <c>ssl=true</c> in REDIS_ADDR).</summary>
    [ConfigurationKeyName("REDIS_TLS_CA_PATH")]
    public string? RedisTlsCaPath { get; set; }

    /// <summary>Pending-connection queue of the HTTP listener; a reconnect storm needs it deep (the OS caps it at net.core.somaxconn).</summary>
    [ConfigurationKeyName("LISTEN_BACKLOG")]
    public int ListenBacklog { get; set; } = 4096;

    /// <summary>Most open HTTP connections (SSE streams included) this silo accepts; empty for no limit.</summary>
    [ConfigurationKeyName("MAX_CONNECTIONS")]
    public long? MaxConnections { get; set; }

    /// <summary>
    /// How long a stopping silo waits for its work to end (streams told to move, MCP calls, Orleans leaving the cluster)
    /// before cutting it short; the process ends at most <see cref="ShutdownWatchdog.ExitGrace"/> later, whatever hangs.
    /// </summary>
    [ConfigurationKeyName("SHUTDOWN_TIMEOUT")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisAddress);

    public bool UsesHttps => !string.IsNullOrWhiteSpace(TlsCertPath);

    /// <summary>Whether the front end listens on every interface (containers), which the silo ports then follow.</summary>
    public bool ListensOnAnyAddress => BindAddress is "0.0.0.0" or "::";

    public System.Net.IPAddress? ResolveAdvertisedAddress()
    {
        var configured = new[] { AdvertisedIp, FlyPrivateIp, PodIp }.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? "127.0.0.1";
        if (System.Net.IPAddress.TryParse(configured, out var address))
        {
            return address;
        }

        try
        {
            return System.Net.Dns.GetHostAddresses(configured).FirstOrDefault();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        CheckPort(failures, "PORT", HttpPort);
        CheckPort(failures, "SILO_PORT", SiloPort);
        CheckPort(failures, "GATEWAY_PORT", GatewayPort);
        if (!System.Net.IPAddress.TryParse(BindAddress, out _))
        {
            failures.Add($"BIND_ADDRESS '{BindAddress}' is not an IP address.");
        }

        if (UsesRedis && !KubernetesHosting && ResolveAdvertisedAddress() is null)
        {
            failures.Add($"ADVERTISED_IP '{AdvertisedIp}' is neither an IP address nor a host name that resolves.");
        }

        if (ListenBacklog < 1)
        {
            failures.Add("LISTEN_BACKLOG must be positive.");
        }

        if (ShutdownTimeout < TimeSpan.FromSeconds(1) || ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            // A bare number binds as days ("30" is a month): say the form.
            failures.Add($"SHUTDOWN_TIMEOUT must be between 00:00:01 and 00:10:00 (hh:mm:ss), not {ShutdownTimeout}.");
        }

        if (MaxConnections is < 1)
        {
            failures.Add("MAX_CONNECTIONS must be positive when set.");
        }

        CheckPemPair(failures, "TLS_CERT_PATH", TlsCertPath, "TLS_KEY_PATH", TlsKeyPath);
        CheckPemPair(failures, "CLUSTER_TLS_CERT_PATH", ClusterTlsCertPath, "CLUSTER_TLS_KEY_PATH", ClusterTlsKeyPath);
        if (!string.IsNullOrWhiteSpace(RedisTlsCaPath) && !File.Exists(RedisTlsCaPath))
        {
            failures.Add($"REDIS_TLS_CA_PATH '{RedisTlsCaPath}' does not exist.");
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            failures.Add("CLUSTER_ID and SERVICE_ID must not be empty.");
        }

        return failures;
    }

    private static void CheckPemPair(List<string> failures, string certName, string? cert, string keyName, string? key)
    {
        if (string.IsNullOrWhiteSpace(cert) && string.IsNullOrWhiteSpace(key))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(cert) || string.IsNullOrWhiteSpace(key))
        {
            failures.Add($"{certName} and {keyName} go together.");
        }
        else if (!File.Exists(cert) || !File.Exists(key))
        {
            failures.Add($"{certName} '{cert}' or {keyName} '{key}' does not exist.");
        }
    }

    private static void CheckPort(List<string> failures, string name, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"{name} must be a port number (1-65535), not {port}.");
        }
    }
}
