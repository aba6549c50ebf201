using System.Collections.Concurrent;

namespace SseVirtualization;

/// <summary>
/// Grain references without Orleans' per-call type resolution. <see cref="IGrainFactory.GetGrain{TGrainInterface}(string, string?)"/>
/// works out the interface's grain type on every call by formatting and parsing type names, which cost a sync
/// invocation about 6% of its CPU and every async one a few percent. The grain type and interface type of an interface
/// never change in a process, so the first reference to each records them and later ones are built from them directly.
/// </summary>
/// <remarks>
/// Shared by every host in the process (a test's in-process silos and clients included): grain types here come from
/// class names, the same in all of them. Orleans 10.4 throws when an interface has no implementation, so nothing is
/// recorded then; a later Orleans that hands out a placeholder type instead would need it left out of the record.
/// </remarks>
public static class GrainReferences
{
    private static readonly ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)> Shapes = new();

    /// <summary>The same reference as <c>GetGrain&lt;T&gt;(key)</c>, and the same refusal of an empty or blank key.</summary>
    public static T ReferenceTo<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (Shapes.TryGetValue(typeof(T), out var shape))
        {
            return (T)grains.GetGrain(GrainId.Create(shape.Grain, key), shape.Interface);
        }

        var reference = grains.GetGrain<T>(key);
        Shapes.TryAdd(typeof(T), (reference.GetGrainId().Type, ((GrainReference)(object)reference).InterfaceType));
        return reference;
    }
}
