using Orleans.Runtime;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Admin;

/// <summary>Asks every live silo for its connections: the cluster-wide view behind the admin pages.</summary>
internal sealed class ClusterView(IGrainFactory grains)
{
    /// <summary>Members of the cluster that are not dead, with their status.</summary>
    public async Task<IReadOnlyList<(SiloAddress Silo, SiloStatus Status)>> GetSilosAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
        return hosts.Where(h => h.Value != SiloStatus.Dead)
            .OrderBy(h => h.Key.ToParsableString(), StringComparer.Ordinal)
            .Select(h => (h.Key, h.Value))
            .ToList();
    }

    /// <summary>Each active silo's answer of <paramref name="ask"/>; a silo that cannot answer is reported as null.</summary>
    public async Task<IReadOnlyList<(string SiloId, T? Answer)>> AskActiveSilosAsync<T>(Func<ISiloConnectionsGrain, Task<T>> ask)
    {
        var silos = await GetSilosAsync();
        var active = silos.Where(s => s.Status == SiloStatus.Active).Select(s => s.Silo.ToParsableString()).ToList();
        var answers = await Task.WhenAll(active.Select(async id =>
        {
            try
            {
                return (id, (T?)await ask(grains.GetGrain<ISiloConnectionsGrain>(id)));
            }
            catch (Exception ex) when (ex is SiloUnavailableException or TimeoutException or OrleansException)
            {
                return (id, default(T));
            }
        }));
        return answers;
    }
}
