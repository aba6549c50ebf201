using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>
/// A small property-based test driven by the live API document: every gateway operation gets requests made from its
/// own schemas (type-correct bodies, with known-good values for the fields that need them) and from broken ones (wrong
/// types, not an object, not JSON, too large). Whatever the request: never a 5xx, every 4xx is problem+json with its
/// status, and every status is one the document lists for the operation. Seeded, so a failure replays.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class OpenApiFuzzTests(ClusterFixture cluster)
{
    private const int Seed = 20261204;
    private const int Requests = 240;
    private const string FuzzPrefix = "fuzz-";

    [Fact]
    public async Task Every_operation_answers_requests_made_from_its_schemas_without_5xx_and_with_documented_problems()
    {
        var document = JsonNode.Parse(await cluster.A.GetStringAsync("openapi/v1.json"))!;
        var operations = OpenApiDocumentTests.Operations(document)
            .Where(o => !o.Path.StartsWith("/.well-known", StringComparison.Ordinal) && !o.Path.StartsWith("/sse/", StringComparison.Ordinal)
                && (o.Path == "/mcp/stream" || !o.Path.StartsWith("/mcp", StringComparison.Ordinal)))
            .ToList();
        var random = new Random(Seed);
        var fuzz = new SchemaFuzzer(document, random, cluster.Stub.Url("echo").ToString());
        var successes = new Dictionary<string, int>(StringComparer.Ordinal);
        using var client = new HttpClient { BaseAddress = cluster.A.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            for (var i = 0; i < Requests; i++)
            {
                var (method, path, operation) = operations[i % operations.Count];
                using var request = fuzz.Request(method, path, operation, valid: random.Next(2) == 0, out var sent);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var status = (int)response.StatusCode;
                var where = $"seed {Seed}, request {i}: {method} {request.RequestUri} {sent} answered {status}";
                Assert.True(status < 500 || path == "/invoke/{name}" && status is 502 or 504, where);
                Assert.True(operation["responses"]!.AsObject().ContainsKey(status.ToString(System.Globalization.CultureInfo.InvariantCulture)), "undocumented status; " + where);
                if (status >= 400 && status < 500)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
                }
                else if (status < 300)
                {
                    successes[$"{method} {path}"] = successes.GetValueOrDefault($"{method} {path}") + 1;
                }
            }
        }
        finally
        {
            await RemoveFuzzFunctionsAsync(client);
        }

        // Valid bodies do succeed: registrations made from the schema with good values were accepted.
        Assert.True(successes.GetValueOrDefault("POST /admin/functions") > 0, string.Join(", ", successes));
        Assert.True(successes.GetValueOrDefault("GET /admin/functions") > 0, string.Join(", ", successes));
    }

    private static async Task RemoveFuzzFunctionsAsync(HttpClient client)
    {
        using var list = JsonDocument.Parse(await client.GetStringAsync("admin/functions"));
        foreach (var function in list.RootElement.GetProperty("functions").EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            if (name.StartsWith(FuzzPrefix, StringComparison.Ordinal))
            {
                (await client.DeleteAsync("admin/functions/" + name)).Dispose();
            }
        }
    }

    /// <summary>Requests from an operation's schemas.</summary>
    private sealed class SchemaFuzzer(JsonNode document, Random random, string endpoint)
    {
        /// <summary>Values a field needs to be right for a request to be valid, by field name.</summary>
        private readonly Dictionary<string, Func<JsonNode?>> _good = new(StringComparer.Ordinal)
        {
            ["endpoint"] = () => endpoint,
            ["endpoints"] = () => new JsonArray(endpoint),
            ["timeout"] = () => "5s",
            ["method"] = () => "POST",
            ["kind"] = () => "http",
            ["load_balancing"] = () => "random",
            ["client_id"] = () => "fuzz-client",
            ["async"] = () => false,
            ["stream"] = () => false,
        };

        public HttpRequestMessage Request(string method, string path, JsonObject operation, bool valid, out string sent)
        {
            var url = new StringBuilder(path.TrimStart('/'));
            var query = new List<string>();
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                var name = (string)parameter!["name"]!;
                var value = valid || random.Next(3) > 0 ? FuzzPrefix + random.Next(8) : RandomText();
                if (value.Length == 0 && (string?)parameter["in"] == "path")
                {
                    value = "-"; // an empty segment is another route, not a value of this one
                }

                if ((string?)parameter["in"] == "path")
                {
                    url.Replace("{" + name + "}", Uri.EscapeDataString(value));
                }
                else if ((string?)parameter["in"] == "query" && (valid || random.Next(4) > 0))
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }

            var request = new HttpRequestMessage(new HttpMethod(method), url + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
            sent = string.Empty;
            if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } schema)
            {
                (request.Content, sent) = valid ? Json(Object(Resolve(schema), good: true)) : Broken(Resolve(schema));
            }

            return request;
        }

        private (HttpContent, string) Broken(JsonNode schema) => random.Next(6) switch
        {
            0 => (new StringContent("{\"name\": ", Encoding.UTF8, "application/json"), "truncated JSON"),
            1 => (new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"), "a form"),
            2 => Json(new JsonArray(1, 2)),
            3 => (new StringContent("{\"p\":\"" + new string('x', 70 * 1024) + "\"}", Encoding.UTF8, "application/json"), "70 KiB"),
            _ => Json(Object(schema, good: false)),
        };

        private static (HttpContent, string) Json(JsonNode body)
        {
            var text = body.ToJsonString();
            var content = new StringContent(text, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return (content, text.Length > 300 ? text[..300] + "…" : text);
        }

        /// <summary>An object of the schema's properties, each left out at random; good: type-correct, with known-good values.</summary>
        private JsonObject Object(JsonNode schema, bool good)
        {
            var body = new JsonObject();
            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            {
                if (random.Next(3) == 0 && !(good && name is "name" or "endpoint"))
                {
                    continue;
                }

                body[name] = name == "name" && good ? FuzzPrefix + random.Next(8)
                    : good && _good.TryGetValue(name, out var value) ? value()
                    : good ? null
                    : Value(Resolve(property!), depth: 0);
            }

            if (good)
            {
                body.Remove("endpoints"); // "endpoint" already: both at once is refused
            }

            return body;
        }

        /// <summary>Any value of the schema's types, or one of another type.</summary>
        private JsonNode? Value(JsonNode schema, int depth)
        {
            var types = schema["type"] switch
            {
                JsonArray many => [.. many.Select(t => (string)t!)],
                JsonValue one => new[] { (string)one! },
                _ => ["string", "integer", "object"],
            };
            var type = random.Next(4) == 0 ? new[] { "string", "integer", "number", "boolean", "array", "object", "null" }[random.Next(7)] : types[random.Next(types.Length)];
            return type switch
            {
                "string" => RandomText(),
                "integer" => random.Next(-5, 200_000),
                "number" => random.NextDouble() * 3 - 1,
                "boolean" => random.Next(2) == 0,
                "array" => depth > 2 ? new JsonArray() : new JsonArray(Value(schema["items"] is { } items ? Resolve(items) : new JsonObject(), depth + 1)),
                "object" => depth > 2 || schema["properties"] is null ? new JsonObject { [RandomText()] = RandomText() } : Object(schema, good: false),
                _ => null,
            };
        }

        private string RandomText() => random.Next(6) switch
        {
            0 => string.Empty,
            1 => "1s",
            2 => "x y/z",
            3 => "\u00e9\u0001",
            4 => "http://127.0.0.1:1/",
            _ => new string((char)random.Next('a', 'z'), random.Next(1, 80)),
        };

        private JsonNode Resolve(JsonNode schema) =>
            schema["$ref"] is { } reference ? document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]! : schema;
    }
}
