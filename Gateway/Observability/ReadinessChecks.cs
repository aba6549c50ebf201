using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using SseVirtualization.Gateway.Admin;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Observability;

/// <summary>Ready only when the cluster's storage answers (Redis; in-memory storage always does).</summary>
internal sealed class StorageHealthCheck(IClusterStorageProbe storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (storage.Kind != "redis")
        {
            return HealthCheckResult.Healthy($"{storage.Kind} storage");
        }

        return await storage.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy("redis answers")
            : HealthCheckResult.Unhealthy("redis does not answer");
    }
}

/// <summary>Ready only while this silo is an active member of the cluster.</summary>
internal sealed class SiloActiveHealthCheck(IClusterMembershipService membership, SiloIdentity silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.Address);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo is {status.ToString().ToLowerInvariant()}"));
    }
}

/// <summary>Not ready once the silo has started to drain (load balancers stop sending it new clients).</summary>
internal sealed class DrainingHealthCheck(Draining draining) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining.IsDraining ? HealthCheckResult.Unhealthy("draining") : HealthCheckResult.Healthy("serving"));
}
