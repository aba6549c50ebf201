using Microsoft.Extensions.Configuration;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Where the silo listens and what it clusters with. Read from flat environment variables (the Go original's
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

    /// <summary>IP other silos and clients reach this silo on (Redis clustering only).</summary>
    [ConfigurationKeyName("ADVERTISED_IP")]
    public string AdvertisedIp { get; set; } = "127.0.0.1";

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

    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisAddress);

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

        if (UsesRedis && !System.Net.IPAddress.TryParse(AdvertisedIp, out _))
        {
            failures.Add($"ADVERTISED_IP '{AdvertisedIp}' is not an IP address.");
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            failures.Add("CLUSTER_ID and SERVICE_ID must not be empty.");
        }

        return failures;
    }

    private static void CheckPort(List<string> failures, string name, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"{name} must be a port number (1-65535), not {port}.");
        }
    }
}
