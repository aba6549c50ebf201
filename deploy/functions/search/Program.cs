using Microsoft.Extensions.Options;
using Npgsql;
using SseVirtualization.Search;

// The search function of the design document ("SSE MCP Server Architecture"): `dotnet run --project deploy/functions/search` serves it (PORT, default 7071, on
// loopback unless ASPNETCORE_URLS says otherwise); `... -- index` brings the index up to date and exits.
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")
    ?? $"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT") ?? "7071"}");
builder.Services.AddOptions<SearchOptions>().BindConfiguration(SearchOptions.SectionName);
builder.Services.AddSingleton(provider => NpgsqlDataSource.Create(provider.GetRequiredService<IOptions<SearchOptions>>().Value.ConnectionString));
builder.Services.AddSingleton<TextEmbedder>();
builder.Services.AddSingleton<SearchIndex>();
builder.Services.AddSingleton<CorpusIndexer>();
builder.Services.AddSingleton<SearchEngine>();
builder.Services.AddProblemDetails();
var app = builder.Build();

if (args.Contains("index", StringComparer.Ordinal))
{
    var outcome = await app.Services.GetRequiredService<CorpusIndexer>().IndexAsync(CancellationToken.None);
    return outcome.Documents > 0 ? 0 : 1;
}

// The schema exists before the first query even when this instance does not index.
await app.Services.GetRequiredService<SearchIndex>().EnsureSchemaAsync(app.Lifetime.ApplicationStopping);
if (app.Services.GetRequiredService<IOptions<SearchOptions>>().Value.IndexOnStart)
{
    // Before serving, so the first query sees the whole corpus.
    await app.Services.GetRequiredService<CorpusIndexer>().IndexAsync(app.Lifetime.ApplicationStopping);
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapSearch();
await app.RunAsync();
return 0;
