using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SseVirtualization.Grains.Clients;

/// <summary>
/// The request ids of a client's most recent results, kept as 64-bit hashes in a ring: a repeated invoke is refused
/// long after its result's log segment left memory, for 8 bytes a result (a segment holds whole events). Grows as
/// results come, up to <paramref name="capacity"/>.
/// </summary>
internal sealed class RecentRequestIds(int capacity)
{
    private ulong[] _hashes = [];
    private int _count;
    private int _next;

    public void Add(string requestId)
    {
        var hash = Hash(requestId);
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

    public bool Contains(string requestId) => _hashes.AsSpan(0, _count).Contains(Hash(requestId));

    private static ulong Hash(string requestId) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(requestId.AsSpan()));
}
