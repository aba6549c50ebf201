namespace SseVirtualization.Search;

/// <summary>Settings of the search function (configuration section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    public const string SectionName = "Search";

    /// <summary>The PostgreSQL database that holds the index (Npgsql connection string).</summary>
    public string ConnectionString { get; set; } = "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres";

    /// <summary>The folder the corpus patterns are relative to (the repository, by default the working directory).</summary>
    public string CorpusRoot { get; set; } = ".";

    /// <summary>Markdown files to index: paths or <c>folder/*.md</c> patterns, relative to <see cref="CorpusRoot"/>.</summary>
    public List<string> Corpus { get; } = [];

    /// <summary>Whether to bring the index up to date with the corpus at start-up (changed files only).</summary>
    public bool IndexOnStart { get; set; } = true;

    /// <summary>The longest query accepted, in characters.</summary>
    public int MaxQueryChars { get; set; } = 500;

    /// <summary>Results returned when the request gives no <c>limit</c>.</summary>
    public int DefaultLimit { get; set; } = 5;

    /// <summary>The most results one request may ask for.</summary>
    public int MaxLimit { get; set; } = 50;

    /// <summary>The longest chunk, in characters (the model reads about 256 tokens; longer text would be cut).</summary>
    public int ChunkChars { get; set; } = 600;
}
