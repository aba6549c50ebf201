using Orleans.Runtime;
using SseVirtualization.Gateway.Connections;

namespace SseVirtualization.Gateway.Admin;

/// <summary>Asks every live silo for its connections: the cluster-wide view behind the admin pages.</summary>
internal sealed class ClusterView(IGrainFactory grains)
{
    // One slow or dying silo must not hold an admin page for Orleans' 30 s response timeout.
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

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
    /// <param name="ask">The question for each silo.</param>
    /// <param name="silos">The members to ask (the active ones), when the caller has them already.</param>
    public async Task<IReadOnlyList<(string SiloId, T? Answer)>> AskActiveSilosAsync<T>(
        Func<ISiloConnectionsGrain, Task<T>> ask, IReadOnlyList<(SiloAddress Silo, SiloStatus Status)>? silos = null)
    {
        silos ??= await GetSilosAsync();
        var active = silos.Where(s => s.Status == SiloStatus.Active).Select(s => s.Silo.ToParsableString()).ToList();
        var answers = await Task.WhenAll(active.Select(async id =>
        {
            try
            {
                return (id, (T?)await ask(grains.ReferenceTo<ISiloConnectionsGrain>(id)).WaitAsync(AskTimeout));
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                return (id, default(T));
            }
        }));
        return answers;
    }
}
