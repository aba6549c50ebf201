using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions.Calls;

/// <summary>
/// One function's copy on this silo (<see cref="LocalFunctionCalls"/>): whether calls may run here now, and the runtime
/// they run on. Thread-safe: calls check it concurrently; a read of the registration is shared by the calls that wait
/// for it.
/// </summary>
internal sealed class LocalFunction(FunctionRuntime runtime)
{
    private readonly Lock _gate = new();
    private int _generation;
    private Task<bool>? _ready;
    private long _freshUntil;
    private DateTimeOffset? _inUse;

    public FunctionRuntime Runtime => runtime;

    /// <summary>The last read found no registration (never registered, or deleted): nothing worth keeping once no run is left.</summary>
    public bool Unknown { get; private set; }

    /// <summary>True when calls may run here with the registration now in <see cref="Runtime"/>; reads it first when needed.</summary>
    public Task<bool> ReadyAsync(Func<string, Task<LocalRegistration>> read)
    {
        lock (_gate)
        {
            if (_ready is { } ready && (!ready.IsCompleted || Environment.TickCount64 < _freshUntil))
            {
                return ready;
            }

            _freshUntil = Environment.TickCount64 + (long)LocalFunctionCalls.Refresh.TotalMilliseconds;
            return _ready = LoadAsync(read, _generation);
        }
    }

    /// <summary>The registration changed: the next call reads it again, and a read in progress is not used.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _generation++;
            _ready = null;
        }
    }

    private async Task<bool> LoadAsync(Func<string, Task<LocalRegistration>> read, int generation)
    {
        var (function, registered) = await read(runtime.Name);
        lock (_gate)
        {
            if (generation != _generation)
            {
                Unknown = false;
                return false; // older than a change notice: this call goes through the grain
            }

            Unknown = !registered;
            if (function is null)
            {
                return false;
            }

            // The same registration keeps its router (breakers, round robin); a changed one gets a new one.
            if (_inUse != function.UpdatedAt)
            {
                runtime.Use(function.Definition);
                _inUse = function.UpdatedAt;
            }

            return true;
        }
    }
}

/// <summary>What a silo read of a function's registration: the registration to call it with here, or null when its calls go through its grain; and whether it is registered at all.</summary>
internal readonly record struct LocalRegistration(RegisteredFunction? Callable, bool Registered);
