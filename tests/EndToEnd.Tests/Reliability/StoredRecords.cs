using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// Records one build writes for another to read: client logs (async results of clients that are not connected),
/// function registrations with a secret header, and MCP sessions. <see cref="AssertReadableAsync"/> reads them all back.
/// </summary>
public sealed class StoredRecords(StubFunctionServer stub, IReadOnlyList<string> clientIds)
{
    private const string Secret = "Bearer rolling-upgrade-secret";

    // Each client's log as first read back, "event id:request id", which every later replay from 0 must equal.
    private readonly Dictionary<string, List<string>> _logs = clientIds.ToDictionary(id => id, _ => new List<string>());
    private readonly List<string> _functions = [];
    private readonly List<string> _mcpSessions = [];

    /// <summary>Through <paramref name="silos"/> in turn: <paramref name="events"/> results per client, a function, an MCP session.</summary>
    public async Task WriteAsync(IReadOnlyList<SiloProcess> silos, string build, int events)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var function = $"kept-{build}";
        using (var created = await http.PostAsJsonAsync(new Uri(silos[0].BaseAddress, "admin/functions"), new Dictionary<string, object?>
        {
            ["name"] = function,
            ["endpoint"] = stub.Url("echo").ToString(),
            ["headers"] = new Dictionary<string, string> { ["Authorization"] = Secret },
            ["input_schema"] = new { type = "object" },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        _functions.Add(function);
        var sent = new Dictionary<string, List<string>>();
        foreach (var clientId in clientIds)
        {
            sent[clientId] = [];
            for (var i = 0; i < events; i++)
            {
                using var accepted = await http.PostAsJsonAsync(
                    new Uri(silos[i % silos.Count].BaseAddress, $"invoke/{function}"), new { payload = new { build, i }, client_id = clientId, @async = true });
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
                sent[clientId].Add((await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString()!);
            }
        }

        _mcpSessions.Add(await McpSessionProbe.StartAsync(http, silos[^1].BaseAddress));

        // The log as this build stored it: what came before, then this build's results in whatever order they were logged.
        foreach (var clientId in clientIds)
        {
            var log = await ReplayAsync(silos[0], clientId, _logs[clientId].Count + events);
            Assert.Equal(_logs[clientId], log.Take(_logs[clientId].Count));
            Assert.Equal(sent[clientId].Order(), log.Skip(_logs[clientId].Count).Select(e => e.Split(':')[1]).Order());
            _logs[clientId] = log;
        }
    }

    /// <summary>Reads every record back through <paramref name="silo"/>: logs from 0, functions listed and called, sessions answering.</summary>
    public async Task AssertReadableAsync(SiloProcess silo, string when)
    {
        foreach (var (clientId, expected) in _logs)
        {
            Assert.True(expected.SequenceEqual(await ReplayAsync(silo, clientId, expected.Count)), $"{when}: the log of {clientId} replayed differently");
        }

        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var listed = (await http.GetFromJsonAsync<JsonElement>("admin/functions")).GetProperty("functions").EnumerateArray()
            .Select(f => f.GetProperty("name").GetString()).ToList();
        foreach (var function in _functions)
        {
            Assert.Contains(function, listed);
            var requestId = Guid.NewGuid().ToString();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"invoke/{function}") { Content = JsonContent.Create(new { payload = new { when } }) };
            request.Headers.Add("X-Request-ID", requestId);
            using var called = await http.SendAsync(request);
            Assert.True(called.StatusCode == HttpStatusCode.OK, $"{when}: {function} answered {(int)called.StatusCode} {await called.Content.ReadAsStringAsync()}");

            // The header was stored encrypted: the call carries it only if this build could decrypt what the other wrote.
            Assert.Equal(Secret, stub.Calls[requestId].Headers["Authorization"]);
        }

        foreach (var sessionId in _mcpSessions)
        {
            var tools = await McpSessionProbe.ListToolsAsync(http, silo.BaseAddress, sessionId);
            Assert.All(_functions, f => Assert.Contains(f, tools));
        }
    }

    /// <summary>Replays <paramref name="clientId"/>'s log from the start, waiting (generously) until it holds <paramref name="count"/> results.</summary>
    private static async Task<List<string>> ReplayAsync(SiloProcess silo, string clientId, int count)
    {
        await using var sse = await SseClient.ConnectAsync(silo.BaseAddress, $"sse/{clientId}", r => r.Headers.Add("Last-Event-ID", "0"));
        var log = new List<string>();
        while (log.Count < count)
        {
            var item = await sse.NextOfTypeAsync("function_response", TimeSpan.FromSeconds(60));
            log.Add($"{item.EventId}:{JsonDocument.Parse(item.Data).RootElement.GetProperty("request_id").GetString()}");
        }

        return log;
    }
}
