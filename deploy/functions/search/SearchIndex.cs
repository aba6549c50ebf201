using Npgsql;
using NpgsqlTypes;

namespace SseVirtualization.Search;

/// <summary>One indexed chunk as the ranker holds it.</summary>
public sealed record IndexedChunk(string Document, int Ordinal, string Heading, string Content, float[] Embedding);

/// <summary>
/// The index in PostgreSQL: documents with the hash of the content they were indexed from, their chunks with
/// embeddings in a <c>real[]</c> column (pgvector is not packaged here; ranking happens in the function), and a
/// version number that moves with every change so each instance knows when to reload.
/// </summary>
public sealed class SearchIndex(NpgsqlDataSource database)
{
    // Serializes schema creation and indexing across instances (a transaction-scoped advisory lock).
    private const long IndexLock = 0x5EA2C4;

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({IndexLock})", cancellationToken);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS search_documents (
                document text PRIMARY KEY,
                content_hash text NOT NULL,
                indexed_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS search_chunks (
                document text NOT NULL REFERENCES search_documents (document) ON DELETE CASCADE,
                ordinal int NOT NULL,
                heading text NOT NULL,
                content text NOT NULL,
                embedding real[] NOT NULL,
                PRIMARY KEY (document, ordinal));
            CREATE TABLE IF NOT EXISTS search_state (id int PRIMARY KEY, version bigint NOT NULL);
            INSERT INTO search_state (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The content hash each document was indexed from.</summary>
    public async Task<Dictionary<string, string>> HashesAsync(CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = database.CreateCommand("SELECT document, content_hash FROM search_documents");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hashes[reader.GetString(0)] = reader.GetString(1);
        }

        return hashes;
    }

    /// <summary>
    /// Replaces the chunks of changed documents and removes documents no longer in the corpus, in one transaction,
    /// and moves the version on. Readers see the old index or the new one, never a mix.
    /// </summary>
    public async Task ApplyAsync(
        IReadOnlyList<(string Document, string Hash, IReadOnlyList<Chunk> Chunks, float[][] Embeddings)> changed,
        IReadOnlyCollection<string> removed,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({IndexLock})", cancellationToken);
        foreach (var document in removed.Concat(changed.Select(c => c.Document)))
        {
            await using var delete = new NpgsqlCommand("DELETE FROM search_documents WHERE document = $1", connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter { Value = document });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (document, hash, chunks, embeddings) in changed)
        {
            await using (var insert = new NpgsqlCommand("INSERT INTO search_documents (document, content_hash) VALUES ($1, $2)", connection, transaction))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = document });
                insert.Parameters.Add(new NpgsqlParameter { Value = hash });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            var batch = new NpgsqlBatch(connection, transaction);
            await using (batch)
            {
                for (var i = 0; i < chunks.Count; i++)
                {
                    var command = new NpgsqlBatchCommand("INSERT INTO search_chunks (document, ordinal, heading, content, embedding) VALUES ($1, $2, $3, $4, $5)");
                    command.Parameters.Add(new NpgsqlParameter { Value = document });
                    command.Parameters.Add(new NpgsqlParameter { Value = i });
                    command.Parameters.Add(new NpgsqlParameter { Value = chunks[i].Heading });
                    command.Parameters.Add(new NpgsqlParameter { Value = chunks[i].Text });
                    command.Parameters.Add(new NpgsqlParameter { Value = embeddings[i], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real });
                    batch.BatchCommands.Add(command);
                }

                if (batch.BatchCommands.Count > 0)
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        await ExecuteAsync(connection, transaction, "UPDATE search_state SET version = version + 1 WHERE id = 1", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<long> VersionAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT version FROM search_state WHERE id = 1");
        return (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }

    /// <summary>Every chunk with its embedding, and the version they belong to (read in one snapshot).</summary>
    public async Task<(long Version, List<IndexedChunk> Chunks)> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        long version;
        await using (var versionCommand = new NpgsqlCommand("SELECT version FROM search_state WHERE id = 1", connection, transaction))
        {
            version = (long)(await versionCommand.ExecuteScalarAsync(cancellationToken) ?? 0L);
        }

        var chunks = new List<IndexedChunk>();
        await using (var command = new NpgsqlCommand("SELECT document, ordinal, heading, content, embedding FROM search_chunks ORDER BY document, ordinal", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                chunks.Add(new IndexedChunk(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<float[]>(4)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (version, chunks);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
