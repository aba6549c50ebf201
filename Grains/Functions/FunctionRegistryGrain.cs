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
            await WriteOrUndoAsync(() => state.State.Names.Remove(name));
        }
    }

    public async Task RemoveAsync(string name)
    {
        if (state.State.Names.Remove(name))
        {
            await WriteOrUndoAsync(() => state.State.Names.Add(name));
        }
    }

    /// <summary>Memory never runs ahead of storage: a failed write undoes the change, so a retry writes again.</summary>
    private async Task WriteOrUndoAsync(Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            undo();
            if (ex is Orleans.Storage.InconsistentStateException)
            {
                DeactivateOnIdle();
            }

            throw;
        }
    }

    public Task<IReadOnlyList<string>> ListAsync()
    {
        var names = state.State.Names.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(names);
    }
}
