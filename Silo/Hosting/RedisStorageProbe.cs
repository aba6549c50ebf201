using SseVirtualization.Gateway.Admin;
using StackExchange.Redis;

namespace SseVirtualization.Silo.Hosting;

/// <summary>Pings the Redis the cluster uses, over a connection of its own opened on first use.</summary>
internal sealed class RedisStorageProbe(ConfigurationOptions configuration) : IClusterStorageProbe, IAsyncDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public string Kind => "redis";

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await ConnectAsync();
            await connection.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (_connection is { } existing)
        {
            return existing;
        }

        await _connectLock.WaitAsync();
        try
        {
            return _connection ??= await ConnectionMultiplexer.ConnectAsync(configuration.Clone());
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connectLock.Dispose();
    }
}
