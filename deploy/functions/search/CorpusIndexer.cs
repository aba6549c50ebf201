using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Search;

/// <summary>
/// Brings the index up to date with the corpus: each Markdown file is chunked and embedded only when its content
/// changed since it was indexed; files that left the corpus leave the index.
/// </summary>
public sealed partial class CorpusIndexer(SearchIndex index, TextEmbedder embedder, IOptions<SearchOptions> options, ILogger<CorpusIndexer> logger)
{
    /// <summary>What an indexing run did.</summary>
    public sealed record Outcome(int Documents, int Changed, int Removed, int Chunks);

    public async Task<Outcome> IndexAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await index.EnsureSchemaAsync(cancellationToken);
        var files = CorpusFiles(settings);
        if (files.Count == 0)
        {
            // Most likely a wrong Search:CorpusRoot (another working directory): never empty a shared index for that.
            LogNoCorpus(logger, Path.GetFullPath(settings.CorpusRoot));
            return new Outcome(0, 0, 0, 0);
        }

        var indexed = await index.HashesAsync(cancellationToken);
        var changed = new List<(string, string, IReadOnlyList<Chunk>, float[][])>();
        var chunkCount = 0;
        foreach (var (document, path) in files)
        {
            var content = await File.ReadAllTextAsync(path, cancellationToken);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
            if (indexed.TryGetValue(document, out var known) && known == hash)
            {
                continue;
            }

            var chunks = MarkdownChunker.Split(content, settings.ChunkChars);
            // The heading goes into what is embedded: it is often the best summary of a chunk's topic.
            var embeddings = chunks.Count == 0
                ? []
                : embedder.Embed(chunks.Select(c => c.Heading.Length == 0 ? c.Text : $"{c.Heading}\n{c.Text}").ToList(), cancellationToken);
            changed.Add((document, hash, chunks, embeddings));
            chunkCount += chunks.Count;
        }

        var removed = indexed.Keys.Where(d => !files.ContainsKey(d)).ToList();
        if (changed.Count > 0 || removed.Count > 0)
        {
            await index.ApplyAsync(changed, removed, cancellationToken);
        }

        var outcome = new Outcome(files.Count, changed.Count, removed.Count, chunkCount);
        LogIndexed(logger, outcome.Documents, outcome.Changed, outcome.Removed, outcome.Chunks);
        return outcome;
    }

    /// <summary>Document name (path relative to the corpus root, with '/') to file path.</summary>
    private static Dictionary<string, string> CorpusFiles(SearchOptions settings)
    {
        var root = Path.GetFullPath(settings.CorpusRoot);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var patterns = settings.Corpus.Count > 0 ? settings.Corpus : ["README.md", "docs/*.md"];
        foreach (var pattern in patterns)
        {
            var directory = Path.GetFullPath(Path.Combine(root, Path.GetDirectoryName(pattern) ?? string.Empty));
            var name = Path.GetFileName(pattern);
            if (!Directory.Exists(directory) || !directory.StartsWith(root, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var path in Directory.EnumerateFiles(directory, name).Order(StringComparer.Ordinal))
            {
                files[Path.GetRelativePath(root, path).Replace('\\', '/')] = path;
            }
        }

        return files;
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "No corpus file found under {Root} (Search:CorpusRoot, Search:Corpus); the index is left as it is")]
    private static partial void LogNoCorpus(ILogger logger, string root);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Index up to date: {Documents} documents, {Changed} re-indexed, {Removed} removed, {Chunks} new chunks")]
    private static partial void LogIndexed(ILogger logger, int documents, int changed, int removed, int chunks);
}
