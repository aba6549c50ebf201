using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Gives Kestrel its socket and pipe buffers from the shared array pool instead of its own pinned-block pool
/// (<c>SOCKET_BUFFER_POOL=shared</c>, the default).
/// </summary>
/// <remarks>
/// Kestrel's pool keeps every block it ever needed at once. A silo holding thousands of streams needs many at once
/// when a round of heartbeats meets a busy CPU, and after that the pool gives back at most ten blocks every 10 s while
/// traffic is steady, which heartbeats keep it: 20–46 MB of idle 4 KiB blocks per silo were measured holding 16,667
/// streams (1.2–2.7 KiB of every stream). The shared pool keeps a few dozen arrays per core and leaves the rest to the
/// GC. On Linux a socket buffer needs no pinning beyond each call. Measured against Kestrel's pool in docs/benchmarks.md.
/// </remarks>
internal sealed class SharedArrayMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private const int BlockSize = 4096;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new SharedArrayBlockPool();

    /// <summary>
    /// Blocks of exactly 4 KiB, as Kestrel's own pool hands out: Kestrel's HTTP/1.1 writer sizes its chunks by the
    /// pool's largest buffer (<c>MemoryPool&lt;byte&gt;.Shared</c>, which has none, made it write nothing).
    /// </summary>
    private sealed class SharedArrayBlockPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
            return new Block(ArrayPool<byte>.Shared.Rent(BlockSize));
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class Block(byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array is { } array ? array.AsMemory(0, BlockSize) : throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } array)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
