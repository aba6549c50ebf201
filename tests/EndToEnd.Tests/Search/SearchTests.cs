using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Search;

/// <summary>The design document's search service: real embeddings, real PostgreSQL, streamed through the layer.</summary>
[Collection(SearchCollectionDefinition.Name)]
public sealed class SearchTests(SearchFixture search)
{
    private static async Task<List<JsonElement>> ReadLinesAsync(HttpResponseMessage response) =>
        (await response.Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    [Theory]
    [InlineData("how does a browser catch up on missed events after reconnecting", "reconnecting.md")]
    [InlineData("what should I feed my yeast culture", "bread.md")]
    [InlineData("why did borrowing money get more expensive", "interest-rates.md")]
    [InlineData("keeper stops a spot kick late in the game", "football.md")]
    public async Task A_query_phrased_unlike_the_document_still_ranks_it_first(string query, string expected)
    {
        using var response = await search.Direct.PostAsJsonAsync("", new { q = query, limit = 3 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var results = await ReadLinesAsync(response);
        Assert.Equal(3, results.Count);
        Assert.Equal(expected, results[0].GetProperty("document").GetString());
        Assert.Equal([1, 2, 3], results.Select(r => r.GetProperty("rank").GetInt32()));
        var scores = results.Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.False(string.IsNullOrWhiteSpace(results[0].GetProperty("chunk").GetString()));
    }

    [Theory]
    [InlineData("""{"q":""}""", "q")]
    [InlineData("""{"q":"   "}""", "q")]
    [InlineData("""{"limit":3}""", "q")]
    [InlineData("""{"q":"bread","limit":0}""", "limit")]
    [InlineData("""{"q":"bread","limit":"many"}""", "limit")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"q":"\ud800"}""", "q")]
    public async Task Bad_requests_are_400s_that_name_the_field(string body, string field)
    {
        using var response = await search.Direct.PostAsync("", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_oversized_query_is_refused()
    {
        using var response = await search.Direct.PostAsJsonAsync("", new { q = new string('x', 501) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 500", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_stream_through_the_layer_streams_each_result_before_complete_with_the_total()
    {
        await using var events = await SseClient.ConnectAsync(search.Silo.BaseAddress, "mcp/stream?function=search&limit=4&q=" + Uri.EscapeDataString("growing vegetables in the sun"));

        var results = new List<JsonElement>();
        while (true)
        {
            var item = await events.NextAsync();
            if (item.EventType == "complete")
            {
                Assert.Equal(results.Count, JsonDocument.Parse(item.Data).RootElement.GetProperty("total").GetInt32());
                break;
            }

            Assert.Equal("result", item.EventType);
            results.Add(JsonDocument.Parse(item.Data).RootElement.Clone());
        }

        Assert.Equal(4, results.Count);
        Assert.Equal("gardening.md", results[0].GetProperty("document").GetString());
    }

    [Fact]
    public async Task An_async_invocation_streams_the_results_to_an_sse_client()
    {
        var clientId = "reader-" + Guid.NewGuid().ToString("N")[..8];
        await using var sse = await SseClient.ConnectAsync(search.Silo.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        using var accepted = await search.Layer.PostAsJsonAsync("invoke/search", new
        {
            payload = new { q = "central bank and rising prices", limit = 2 },
            client_id = clientId,
            @async = true,
            stream = true,
        });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var first = JsonDocument.Parse((await sse.NextOfTypeAsync("function_result")).Data).RootElement;
        var second = JsonDocument.Parse((await sse.NextOfTypeAsync("function_result")).Data).RootElement;
        var done = JsonDocument.Parse((await sse.NextOfTypeAsync("function_response")).Data).RootElement;
        Assert.Contains("interest-rates.md", first.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(first.ToString(), second.ToString());
        Assert.Equal(2, done.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Mcp_clients_call_the_search_tool()
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(search.Silo.BaseAddress, "mcp") }));

        var tool = Assert.Single(await client.ListToolsAsync(), t => t.Name == "search");
        Assert.Contains("Semantic search", tool.Description, StringComparison.Ordinal);
        var result = await client.CallToolAsync("search", new Dictionary<string, object?> { ["q"] = "resume after the connection dropped", ["limit"] = 2 });

        Assert.NotEqual(true, result.IsError);
        var hits = JsonDocument.Parse(Assert.IsType<TextContentBlock>(result.Content[0]).Text).RootElement;
        Assert.Equal(2, hits.GetArrayLength());
        Assert.Equal("reconnecting.md", hits[0].GetProperty("document").GetString());
    }
}
