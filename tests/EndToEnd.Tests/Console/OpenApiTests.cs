using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Console;

[Collection(ClusterCollectionDefinition.Name)]
public sealed class OpenApiTests(ClusterFixture cluster)
{
    [Fact]
    public async Task OpenApi_document_describes_exactly_the_api_routes_that_exist()
    {
        using var document = JsonDocument.Parse(await cluster.A.GetStringAsync("openapi/v1.json"));
        var described = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .Order()
            .ToList();

        string[] routes =
        [
            "DELETE /admin/functions/{name}", "DELETE /admin/session", "GET /admin/connections", "GET /admin/functions", "GET /admin/functions/{name}",
            "GET /admin/health", "GET /mcp/stream", "GET /sse/{clientId}", "POST /admin/functions", "POST /admin/session", "POST /admin/tokens", "POST /invoke/{name}", "PUT /admin/functions/{name}",
            // MCP (docs/mcp.md): both transports and the RFC 9728 metadata.
            "DELETE /mcp", "GET /mcp", "POST /mcp", "GET /mcp/sse", "POST /mcp/messages",
            "GET /.well-known/oauth-protected-resource", "GET /.well-known/oauth-protected-resource/mcp",
        ];
        Assert.Equal(routes.Order(), described);

        // And each described route answers (not 404/405) on a silo.
        foreach (var route in routes.Where(r => r.StartsWith("GET ", StringComparison.Ordinal) && !r.Contains("/sse/", StringComparison.Ordinal) && !r.StartsWith("GET /mcp", StringComparison.Ordinal)))
        {
            using var response = await cluster.B.GetAsync(route[4..].Replace("{name}", "no-such-function", StringComparison.Ordinal).TrimStart('/'));
            Assert.NotEqual(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotFound && route.Contains("{name}", StringComparison.Ordinal), route);
        }
    }
}
