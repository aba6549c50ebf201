using SseVirtualization.Functions;
using SseVirtualization.Grains.Hosting;

namespace SseVirtualization.Grains.Functions;

/// <summary>The list of function names; touched by registration and listing only, never by invocations.</summary>
internal sealed class FunctionRegistryGrain(
    [PersistentState("function-registry", StorageNames.Grains)] IPersistentState<FunctionRegistryState> state)
    : Grain, IFunctionRegistryGrain
{
    public async Task AddAsync(string name)
    {
        if (state.State.Names.Add(name))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string name)
    {
        if (state.State.Names.Remove(name))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync()
    {
        var names = state.State.Names.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(names);
    }
}
