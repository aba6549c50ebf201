namespace SseVirtualization.Search;

/// <summary>One ranked answer.</summary>
public sealed record SearchHit(int Rank, double Score, string Document, string Heading, string Chunk);

/// <summary>
/// Ranks every indexed chunk by cosine similarity to the query's embedding, best first. The chunks live in
/// memory, reloaded whenever the index version in PostgreSQL moves on (one small query per search), so any number
/// of instances serve the same index. An exact scan: ~1 µs per chunk, fine to some 100,000 chunks.
/// </summary>
public sealed class SearchEngine(SearchIndex index, TextEmbedder embedder) : IDisposable
{
    private readonly SemaphoreSlim _reloading = new(1, 1);

    // Replaced whole (a reference), so a reader sees one version with its own chunks, never a mix.
    private volatile Snapshot _snapshot = new(-1, []);

    public int ChunkCount => _snapshot.Chunks.Count;

    public void Dispose() => _reloading.Dispose();

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, int limit, CancellationToken cancellationToken)
    {
        var chunks = await CurrentAsync(cancellationToken);
        var vector = embedder.Embed(query, cancellationToken);
        return chunks
            .Select(chunk => (chunk, score: TextEmbedder.Similarity(vector, chunk.Embedding)))
            .OrderByDescending(pair => pair.score)
            .Take(limit)
            .Select((pair, i) => new SearchHit(i + 1, Math.Round(pair.score, 4), pair.chunk.Document, pair.chunk.Heading, pair.chunk.Content))
            .ToList();
    }

    private async Task<List<IndexedChunk>> CurrentAsync(CancellationToken cancellationToken)
    {
        var version = await index.VersionAsync(cancellationToken);
        var current = _snapshot;
        if (current.Version == version)
        {
            return current.Chunks;
        }

        await _reloading.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot.Version != version)
            {
                var (loadedVersion, chunks) = await index.LoadAsync(cancellationToken);
                _snapshot = new Snapshot(loadedVersion, chunks);
            }

            return _snapshot.Chunks;
        }
        finally
        {
            _reloading.Release();
        }
    }

    private sealed record Snapshot(long Version, List<IndexedChunk> Chunks);
}
