using System.Text.Json;
using System.Text.Json.Nodes;
using SseVirtualization.EndToEnd.Tests.Deploy;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>
/// The live <c>/openapi/v1.json</c> describes the API well enough to build on: bodies, status codes with problem+json
/// errors, parameters, operation ids, tags and security; and <c>@redocly/cli lint</c> (tests/OpenApiLint) passes on it.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class OpenApiDocumentTests(ClusterFixture cluster)
{
    private static readonly string LintFolder = Path.Combine(RepositoryPaths.Root, "tests", "OpenApiLint");

    [Fact]
    public async Task Every_gateway_operation_has_an_id_tags_problem_errors_and_security()
    {
        var document = JsonNode.Parse(await cluster.A.GetStringAsync("openapi/v1.json"))!;
        var operations = Operations(document).ToList();

        Assert.DoesNotContain(operations, o => o.Path.StartsWith("/samples", StringComparison.Ordinal));
        Assert.Equal(operations.Count, operations.Select(o => (string?)o.Operation["operationId"]).Distinct().Count(id => id is not null));
        foreach (var (method, path, operation) in operations)
        {
            var where = $"{method} {path}";
            Assert.NotEmpty(operation["tags"]!.AsArray());
            Assert.False(string.IsNullOrEmpty((string?)operation["summary"]), where);
            var responses = operation["responses"]!.AsObject();
            Assert.Contains(responses, r => r.Key.StartsWith('2'));
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5' && r.Value!["content"] is not null))
            {
                // 502 and 504 of an invocation carry the function's result, not a problem.
                if (!(path == "/invoke/{name}" && status is "502" or "504"))
                {
                    Assert.True(response!["content"]!.AsObject().ContainsKey("application/problem+json"), $"{where} {status}");
                }
            }

            if (!path.StartsWith("/.well-known/", StringComparison.Ordinal))
            {
                var required = operation["security"]!.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList();
                Assert.Equal(["ApiKey", "Bearer"], required.Order());
                Assert.True(responses.ContainsKey("401") && responses.ContainsKey("403"), where);
            }
        }

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("X-Api-Key", (string?)schemes["ApiKey"]!["name"]);
        Assert.Equal("bearer", (string?)schemes["Bearer"]!["scheme"]);
    }

    [Fact]
    public async Task Bodies_parameters_and_event_streams_are_described()
    {
        var document = JsonNode.Parse(await cluster.A.GetStringAsync("openapi/v1.json"))!;
        var paths = document["paths"]!;

        // Bodies are named components, so a generated client has one type for each (not one per operation).
        var registrationBody = paths["/admin/functions"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.EndsWith("/FunctionRegistrationRequest", (string?)registrationBody["$ref"], StringComparison.Ordinal);
        var registration = Resolve(document, registrationBody)["properties"]!.AsObject();
        Assert.Superset(new HashSet<string> { "name", "endpoint", "endpoints", "timeout", "headers", "health_check", "retry", "circuit_breaker", "max_concurrency", "tools", "tool_rate_limit" }, registration.Select(p => p.Key).ToHashSet());
        Assert.Contains("string", registration["timeout"]!["type"]!.ToJsonString(), StringComparison.Ordinal);
        var registered = paths["/admin/functions"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        Assert.EndsWith("/FunctionView", registered, StringComparison.Ordinal);
        var view = document["components"]!["schemas"]!["FunctionView"]!["properties"]!.AsObject();
        Assert.Contains("timeout_ms", view.Select(p => p.Key));
        Assert.Equal("\"integer\"", view["max_concurrency"]!["type"]!.ToJsonString()); // numbers are not read from strings

        var invoke = paths["/invoke/{name}"]!["post"]!;
        Assert.NotNull(Resolve(document, invoke["requestBody"]!["content"]!["application/json"]!["schema"]!)["properties"]!["client_id"]);
        Assert.NotNull(invoke["responses"]!["200"]!["content"]!["text/event-stream"]);
        Assert.NotNull(invoke["responses"]!["202"]);
        Assert.Contains(invoke["parameters"]!.AsArray(), p => (string?)p!["name"] == "name" && (string?)p["in"] == "path");

        var query = paths["/mcp/stream"]!["get"]!;
        Assert.Contains(query["parameters"]!.AsArray(), p => (string?)p!["name"] == "function" && (string?)p["in"] == "query" && (bool?)p["required"] == true);
        Assert.NotNull(query["responses"]!["200"]!["content"]!["text/event-stream"]);
        Assert.NotNull(paths["/sse/{clientId}"]!["get"]!["responses"]!["200"]!["content"]!["text/event-stream"]);
        Assert.NotNull(Resolve(document, paths["/admin/tokens"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!)["properties"]!["scopes"]);
        foreach (var (path, answer) in new[] { ("/admin/health", "ClusterHealthView"), ("/admin/connections", "ConnectionListView") })
        {
            Assert.EndsWith("/" + answer, (string?)paths[path]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"], StringComparison.Ordinal);
        }

        // Any JSON value is the empty schema in place, not a component generators would turn into a class.
        Assert.Null(document["components"]!["schemas"]!["JsonElement"]);
    }

    [Fact]
    public async Task Redocly_lint_passes_on_the_live_document_and_fails_on_a_broken_copy()
    {
        var folder = Directory.CreateTempSubdirectory("openapi-lint-");
        try
        {
            var live = await cluster.A.GetStringAsync("openapi/v1.json");
            var good = Path.Combine(folder.FullName, "v1.json");
            await File.WriteAllTextAsync(good, live);
            var passed = await LintAsync(good);
            Assert.True(passed.Succeeded, passed.ToString());

            // Broken: an operation whose responses are gone, and a reference to a schema that does not exist.
            var broken = JsonNode.Parse(live)!;
            broken["paths"]!["/admin/functions"]!["get"]!.AsObject().Remove("responses");
            broken["paths"]!["/invoke/{name}"]!["post"]!["responses"]!["202"]!["content"]!["application/json"]!["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/NoSuchSchema" };
            var bad = Path.Combine(folder.FullName, "broken.json");
            await File.WriteAllTextAsync(bad, broken.ToJsonString());
            var failed = await LintAsync(bad);
            Assert.False(failed.Succeeded, failed.ToString());
            Assert.Contains("no-unresolved-refs", failed.Output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    internal static IEnumerable<(string Method, string Path, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(method => method.Key is "get" or "post" or "put" or "delete" or "patch")
            .Select(method => (method.Key.ToUpperInvariant(), path.Key, method.Value!.AsObject())));

    private static Task<ToolRun> LintAsync(string file) =>
        DeployTool.RunAsync(
            "node",
            [Path.Combine(LintFolder, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", file, "--config", Path.Combine(LintFolder, "redocly.yaml"), "--format=stylish"],
            LintFolder,
            TimeSpan.FromMinutes(2),
            environment: new Dictionary<string, string?> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });

    /// <summary>A schema, or the component its <c>$ref</c> names.</summary>
    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        (string?)schema["$ref"] is { } reference ? document["components"]!["schemas"]![reference.Split('/')[^1]]! : schema;
}
