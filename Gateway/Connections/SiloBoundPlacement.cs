using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace SseVirtualization.Gateway.Connections;

/// <summary>Places a grain on the silo whose id (<see cref="SiloAddress.ToParsableString"/>) is its key.</summary>
[GenerateSerializer, Immutable]
internal sealed class SiloBoundPlacement : PlacementStrategy;

/// <summary>Marks a grain class as <see cref="SiloBoundPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloBoundPlacementAttribute() : PlacementAttribute(new SiloBoundPlacement());

internal sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var wanted = SiloAddress.FromParsableString(key);
        foreach (var candidate in context.GetCompatibleSilos(target))
        {
            if (candidate.Equals(wanted))
            {
                return Task.FromResult(candidate);
            }
        }

        throw new SiloUnavailableException($"Silo {key} is not an active member of the cluster.");
    }
}
