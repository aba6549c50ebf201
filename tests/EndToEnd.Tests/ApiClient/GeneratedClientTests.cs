using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Serialization.Json;
using SseVirtualization.ApiClient;
using SseVirtualization.ApiClient.Models;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.ApiClient;

/// <summary>
/// The API describes itself well enough to build on: a client Kiota generates from docs/openapi/v1.json (tests/ApiClient,
/// at build time) drives the README's quick start against a silo started the quick start's way, and that document is
/// the one the silo serves.
/// </summary>
public sealed class GeneratedClientTests(GeneratedClientTests.QuickStartSilo silo) : IClassFixture<GeneratedClientTests.QuickStartSilo>
{
    /// <summary>The document the client is generated from: docs/openapi/v1.json, as the silo serves it less its server URL.</summary>
    private static readonly string CommittedDocument = Path.Combine(RepositoryPaths.Root, "docs", "openapi", "v1.json");

    [Fact]
    public async Task The_committed_document_is_the_one_the_silo_serves()
    {
        using var http = new HttpClient { BaseAddress = silo.Process.BaseAddress };
        var served = JsonNode.Parse(await http.GetStringAsync("openapi/v1.json"))!.AsObject();
        served.Remove("servers"); // the address this silo happened to answer on
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

        // scripts/update-openapi.sh sets this to write the served document, after a change to the API.
        if (Environment.GetEnvironmentVariable("SSE_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedDocument, text);
        }

        Assert.True(
            JsonNode.DeepEquals(served, JsonNode.Parse(await File.ReadAllTextAsync(CommittedDocument))),
            "docs/openapi/v1.json is not the document the silo serves: run scripts/update-openapi.sh and commit the result.");
    }

    [Fact]
    public async Task The_generated_client_drives_the_quick_start()
    {
        var client = silo.Client();
        var samples = silo.Process.BaseAddress + "samples/";

        // One terminal: the client's stream, kept open.
        await using var stream = await client.Sse["client123"].GetAsync();
        var events = SseParser.Create(stream!).EnumerateAsync().GetAsyncEnumerator();
        Assert.Equal("connected", (await NextAsync(events, "connected")).EventType);

        // Register the sample and call it synchronously.
        var registered = await client.Admin.Functions.PostAsync(new FunctionRegistrationRequest
        {
            Name = "text-processor",
            Endpoint = samples + "text-processor",
            Timeout = new FunctionRegistrationRequest.FunctionRegistrationRequest_timeout { String = "30s" },
        });
        Assert.Equal("text-processor", registered!.Name);
        Assert.True(registered.IsActive);

        var answer = await client.Invoke["text-processor"].PostAsync(new InvokeRequestBody { Payload = Text("Hello from the quick start") });
        Assert.True(answer!.Success);
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal("HELLO FROM THE QUICK START", (await JsonOf(answer.DataEscaped))["text"]!.GetValue<string>());

        // Asynchronously: accepted at once, the result on the stream.
        var accepted = await client.Invoke["text-processor"].PostAsync(new InvokeRequestBody { Payload = Text("Hello"), ClientId = "client123", Async = true });
        Assert.False(string.IsNullOrEmpty(accepted!.RequestId));
        Assert.Equal("accepted", accepted.AdditionalData["status"]);
        var delivered = JsonNode.Parse((await NextAsync(events, "function_response")).Data)!;
        Assert.Equal(accepted.RequestId, delivered["request_id"]!.GetValue<string>());
        Assert.Equal("HELLO", delivered["data"]!["text"]!.GetValue<string>());

        // Two endpoints, load-balanced, health-checked, with a concurrency limit; then the cluster's view.
        var pair = await client.Admin.Functions.PostAsync(new FunctionRegistrationRequest
        {
            Name = "words-pair",
            Endpoints = [samples + "words", samples + "replica/words"],
            LoadBalancing = "least_outstanding",
            HealthCheck = new FunctionRegistrationRequest_health_check { Interval = "2s" },
            MaxConcurrency = 20,
        });
        Assert.Equal(2, pair!.Endpoints!.Count);
        var read = await client.Admin.Functions["words-pair"].GetAsync();
        Assert.Equal(20, read!.MaxConcurrency);
        Assert.Equal(2, read.Health!.Count);

        var health = await client.Admin.Health.GetAsync();
        Assert.Equal("healthy", health!.Status);
        var connections = await client.Admin.Connections.GetAsync();
        Assert.Contains(connections!.Connections!, c => c.ClientId == "client123");
    }

    [Fact]
    public async Task A_refused_body_reaches_the_client_as_the_problem_naming_the_field()
    {
        var client = silo.Client();

        var refused = await Assert.ThrowsAsync<ProblemDetails>(() => client.Admin.Functions.PostAsync(new FunctionRegistrationRequest
        {
            Name = "not a name",
            Endpoint = silo.Process.BaseAddress + "samples/text-processor",
        }));

        Assert.Equal(400, refused.ResponseStatusCode);
        Assert.Equal("Invalid request", refused.Title);
        Assert.Equal("name", refused.AdditionalData["field"]);
    }

    private static UntypedObject Text(string text) => new(new Dictionary<string, UntypedNode> { ["text"] = new UntypedString(text) });

    private static async Task<JsonNode> JsonOf(UntypedNode? node) =>
        JsonNode.Parse(await KiotaJsonSerializer.SerializeAsStringAsync(node!))!;

    private static async Task<SseItem<string>> NextAsync(IAsyncEnumerator<SseItem<string>> events, string type)
    {
        using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (await events.MoveNextAsync().AsTask().WaitAsync(deadline.Token))
        {
            if (events.Current.EventType == type)
            {
                return events.Current;
            }
        }

        throw new InvalidOperationException($"The stream ended before a '{type}' event.");
    }

    /// <summary>A silo started with the embedded defaults, as <c>dotnet run --project Silo</c> starts it: the samples served.</summary>
    public sealed class QuickStartSilo : IAsyncLifetime
    {
        private readonly List<HttpClient> _clients = [];

        public SiloProcess Process { get; private set; } = null!;

        public SseApiClient Client()
        {
            var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            _clients.Add(http);
            return new SseApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
            {
                BaseUrl = Process.BaseAddress.ToString().TrimEnd('/'),
            });
        }

        public async Task InitializeAsync() => Process = await SiloProcess.StartAsync(new Dictionary<string, string?>());

        public async Task DisposeAsync()
        {
            _clients.ForEach(c => c.Dispose());
            await Process.DisposeAsync();
        }
    }
}
