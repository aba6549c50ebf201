using System.Net.Http.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Search;

/// <summary>
/// PostgreSQL, the search function indexing the fixed corpus in <c>tests/SearchCorpus</c> with the real model, and
/// one silo (embedded defaults) with the function registered as <c>search</c>, also an MCP tool.
/// </summary>
public sealed class SearchFixture : IAsyncLifetime
{
    public static readonly string[] Corpus = ["reconnecting.md", "bread.md", "gardening.md", "interest-rates.md", "football.md"];

    public PostgresServer Postgres { get; private set; } = null!;

    public SearchFunctionProcess Function { get; private set; } = null!;

    public SiloProcess Silo { get; private set; } = null!;

    public HttpClient Layer { get; private set; } = null!;

    public HttpClient Direct { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        var silo = SiloProcess.StartAsync(new Dictionary<string, string?> { ["Gateway__HeartbeatInterval"] = "00:00:01" });
        try
        {
            Function = await SearchFunctionProcess.StartAsync(Postgres.ConnectionString, Path.Combine(RepositoryPaths.Root, "tests", "SearchCorpus"), Corpus);
        }
        finally
        {
            Silo = await silo; // owned (and stopped by DisposeAsync) even when the function failed to start
        }

        Direct = new HttpClient { BaseAddress = Function.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Layer = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var registered = await Layer.PostAsJsonAsync("admin/functions", new Dictionary<string, object>
        {
            ["name"] = "search",
            ["endpoint"] = Function.BaseAddress.ToString(),
            ["description"] = "Semantic search over the documentation: ranked passages, best first",
            ["input_schema"] = new
            {
                type = "object",
                properties = new { q = new { type = "string", description = "What to look for" }, limit = new { type = "integer", minimum = 1, maximum = 50 } },
                required = new[] { "q" },
            },
        });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        Layer?.Dispose();
        Direct?.Dispose();
        try
        {
            if (Silo is not null)
            {
                await Silo.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                if (Function is not null)
                {
                    await Function.DisposeAsync();
                }
            }
            finally
            {
                if (Postgres is not null)
                {
                    await Postgres.DisposeAsync();
                }
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SearchCollectionDefinition : ICollectionFixture<SearchFixture>
{
    public const string Name = "search function";
}
