namespace SseVirtualization.Functions;

/// <summary>
/// The cluster-wide index of registered function names (key 0). Only registration and listing touch it;
/// invocations never do.
/// </summary>
public interface IFunctionRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a name (idempotent).</summary>
    Task AddAsync(string name);

    /// <summary>Removes a name (idempotent).</summary>
    Task RemoveAsync(string name);

    /// <summary>Every registered name, sorted ordinally.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}
