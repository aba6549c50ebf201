using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions.Routing;

/// <summary>
/// Picks the endpoint for one attempt: a healthy one with a closed circuit that this invocation has not tried
/// yet, by the function's load-balancing policy; failing that, any healthy one (its breaker then refuses fast).
/// </summary>
/// <param name="policy">The function's load-balancing policy.</param>
/// <param name="time">The clock that says whether a circuit's break has ended.</param>
internal sealed class EndpointSelector(LoadBalancingPolicy policy, TimeProvider time)
{
    private int _next = -1;

    /// <param name="endpoints">All of the function's endpoints, in registration order.</param>
    /// <param name="tried">Endpoints this invocation already tried.</param>
    /// <param name="last">The endpoint of the previous attempt, when this one is a retry.</param>
    public EndpointState? Select(IReadOnlyList<EndpointState> endpoints, IReadOnlySet<EndpointState> tried, EndpointState? last)
    {
        var now = time.GetUtcNow();
        var candidates = endpoints.Where(e => e.IsHealthy && !e.IsCircuitOpen(now) && !tried.Contains(e)).ToList();
        if (candidates.Count == 0)
        {
            candidates = endpoints.Where(e => e.IsHealthy && !e.IsCircuitOpen(now)).ToList();
        }

        if (candidates.Count == 0)
        {
            candidates = endpoints.Where(e => e.IsHealthy).ToList();
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        if (last is not null && policy == LoadBalancingPolicy.RoundRobin)
        {
            // A retry takes the next endpoint after the one that failed, without moving the rotation on: otherwise
            // every retry would shift which endpoint the next invocation starts at.
            var from = IndexOf(endpoints, last);
            for (var step = 1; step <= endpoints.Count; step++)
            {
                var next = endpoints[(from + step) % endpoints.Count];
                if (candidates.Contains(next))
                {
                    return next;
                }
            }
        }

        var turn = (int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Count);
        return policy switch
        {
            LoadBalancingPolicy.Random => candidates[System.Random.Shared.Next(candidates.Count)],
            LoadBalancingPolicy.LeastOutstanding => LeastOutstanding(candidates, turn),
            _ => candidates[turn],
        };
    }

    private static int IndexOf(IReadOnlyList<EndpointState> endpoints, EndpointState endpoint)
    {
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (ReferenceEquals(endpoints[i], endpoint))
            {
                return i;
            }
        }

        return -1;
    }

    // Ties go round robin, so idle endpoints share the load instead of the first one taking it all.
    private static EndpointState LeastOutstanding(List<EndpointState> candidates, int turn)
    {
        var fewest = candidates.Min(e => e.Outstanding);
        var tied = candidates.Where(e => e.Outstanding == fewest).ToList();
        return tied[turn % tied.Count];
    }
}
