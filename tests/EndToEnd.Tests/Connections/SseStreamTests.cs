using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Connections;

[Collection(ClusterCollectionDefinition.Name)]
public sealed class SseStreamTests(ClusterFixture cluster)
{
    private static string NewClientId() => "client-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Stream_opens_with_connected_event_carrying_metadata_and_its_resume_position()
    {
        var clientId = NewClientId();
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}?app=myapp&version=1.0&version=2.0",
            r => r.Headers.Add("X-User-ID", "user-7"));

        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", sse.Response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var connected = await sse.NextAsync();
        Assert.Equal("connected", connected.EventType);
        Assert.Equal("0", connected.EventId); // a new client's stream starts after id 0
        using var data = JsonDocument.Parse(connected.Data);
        var root = data.RootElement;
        Assert.Equal(clientId, root.GetProperty("client_id").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("connection_id").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("silo").GetString()));
        Assert.Equal("myapp", root.GetProperty("metadata").GetProperty("app").GetString());
        Assert.Equal("1.0", root.GetProperty("metadata").GetProperty("version").GetString());
        Assert.True(root.GetProperty("timestamp").GetInt64() > 1_700_000_000);

        var connections = await cluster.B.GetFromJsonAsync<JsonElement>("admin/connections");
        var mine = connections.GetProperty("connections").EnumerateArray().Single(c => c.GetProperty("client_id").GetString() == clientId);
        Assert.Equal("user-7", mine.GetProperty("user_id").GetString());
        Assert.Equal(root.GetProperty("connection_id").GetString(), mine.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Stream_sends_a_retry_hint_and_heartbeats_without_ids_after_the_connected_position()
    {
        using var http = new HttpClient { BaseAddress = cluster.SiloB.BaseAddress };
        using var response = await http.GetAsync($"sse/{NewClientId()}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        var sawHeartbeat = false;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!sawHeartbeat)
        {
            var line = await reader.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("stream ended");
            lines.Add(line);
            sawHeartbeat = line == "event: heartbeat";
        }

        // Read the heartbeat's frame to its blank line.
        string? next;
        while ((next = await reader.ReadLineAsync(deadline.Token)) is { Length: > 0 })
        {
            lines.Add(next);
        }

        Assert.Contains(lines, l => l.StartsWith("retry: ", StringComparison.Ordinal));

        // Only `connected` carries an id (its resume position); heartbeats never move the browser's Last-Event-ID.
        Assert.Equal(["id: 0"], lines.Where(l => l.StartsWith("id:", StringComparison.Ordinal)));
        Assert.True(lines.IndexOf("id: 0") < lines.IndexOf("event: heartbeat"));
        var heartbeatData = lines.Last(l => l.StartsWith("data: ", StringComparison.Ordinal));
        using var heartbeat = JsonDocument.Parse(heartbeatData["data: ".Length..]);
        Assert.True(heartbeat.RootElement.GetProperty("timestamp").GetInt64() > 1_700_000_000);
    }

    [Fact]
    public async Task Result_for_a_client_that_is_not_connected_waits_and_arrives_when_it_connects_to_any_silo()
    {
        var clientId = NewClientId();
        var function = await cluster.RegisterAsync("echo");
        using var invoke = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 1 }, client_id = clientId, @async = true });
        var requestId = (await invoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();
        await Eventually.UntilAsync(() => Task.FromResult(cluster.Stub.Calls.ContainsKey(requestId!)), "the function to be called");

        await using var sse = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}");
        Assert.Equal("connected", (await sse.NextAsync()).EventType);
        var waiting = await sse.NextOfTypeAsync("function_response");
        Assert.Equal(requestId, JsonDocument.Parse(waiting.Data).RootElement.GetProperty("request_id").GetString());

        // Sent once: a second connection without Last-Event-ID does not get it again.
        await using var again = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        Assert.Equal("connected", (await again.NextAsync()).EventType);
        using var second = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 2 }, client_id = clientId, @async = true });
        var next = await again.NextOfTypeAsync("function_response");
        Assert.Equal(
            (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString(),
            JsonDocument.Parse(next.Data).RootElement.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task Every_connection_of_a_client_receives_every_result_with_increasing_ids()
    {
        var clientId = NewClientId();
        var function = await cluster.RegisterAsync("echo");
        await using var onA = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}");
        await using var onB = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}");
        await onA.NextOfTypeAsync("connected");
        await onB.NextOfTypeAsync("connected");

        for (var i = 0; i < 3; i++)
        {
            using var response = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { i }, client_id = clientId, @async = true });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        // Invocations run concurrently, so results arrive in the order they complete; every connection sees
        // that same sequence, numbered without gaps.
        var sequences = new List<List<(long Id, int Payload)>>();
        foreach (var sse in new[] { onA, onB })
        {
            var sequence = new List<(long Id, int Payload)>();
            for (var i = 0; i < 3; i++)
            {
                var item = await sse.NextOfTypeAsync("function_response");
                sequence.Add((
                    long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture),
                    JsonDocument.Parse(item.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("i").GetInt32()));
            }

            var first = sequence[0].Id;
            Assert.Equal([first, first + 1, first + 2], sequence.Select(e => e.Id));
            Assert.Equal([0, 1, 2], sequence.Select(e => e.Payload).Order());
            sequences.Add(sequence);
        }

        Assert.Equal(sequences[0], sequences[1]);
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_gets_what_was_missed_on_another_silo()
    {
        var clientId = NewClientId();
        var function = await cluster.RegisterAsync("echo");
        string lastSeen;
        await using (var first = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}"))
        {
            await first.NextOfTypeAsync("connected");
            using var one = await cluster.A.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 1 }, client_id = clientId, @async = true });
            lastSeen = (await first.NextOfTypeAsync("function_response")).EventId!;
        }

        // Sync invocations that name the client also reach its stream; this one lands while it is away.
        using var missed = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { n = 2 }, client_id = clientId });
        Assert.Equal(System.Net.HttpStatusCode.OK, missed.StatusCode);

        await using var resumed = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}",
            r => r.Headers.Add("Last-Event-ID", lastSeen));
        var replayed = await resumed.NextOfTypeAsync("function_response");
        Assert.Equal(long.Parse(lastSeen, System.Globalization.CultureInfo.InvariantCulture) + 1, long.Parse(replayed.EventId!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, JsonDocument.Parse(replayed.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("n").GetInt32());
    }
}
