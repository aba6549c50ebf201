namespace SseVirtualization.Gateway.Admin;

/// <summary>The probe for the embedded default: state lives in silo memory and there is no Redis to reach.</summary>
internal sealed class InMemoryStorageProbe : IClusterStorageProbe
{
    public string Kind => "memory";

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(false);
}
