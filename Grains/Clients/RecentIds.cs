using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// The most recent of a stream of ids, kept as 64-bit hashes in a ring, 8 bytes an id: the request ids of a client's
/// results (a repeated invoke is refused long after its result's log segment left memory; a segment holds whole
/// events), or the connections closed before their open arrived. Grows as ids come, up to <paramref name="capacity"/>.
/// </summary>
internal sealed class RecentIds(int capacity)
{
    private ulong[] _hashes = [];
    private int _count;
    private int _next;

    public void Add(string id)
    {
        var hash = Hash(id);
        if (_count < capacity)
        {
            if (_count == _hashes.Length)
            {
                Array.Resize(ref _hashes, Math.Min(capacity, Math.Max(8, _hashes.Length * 2)));
            }

            _hashes[_count++] = hash;
            _next = _count % capacity;
            return;
        }

        _hashes[_next] = hash;
        _next = (_next + 1) % capacity;
    }

    public bool Contains(string id) => _hashes.AsSpan(0, _count).Contains(Hash(id));

    private static ulong Hash(string id) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id.AsSpan()));
}
