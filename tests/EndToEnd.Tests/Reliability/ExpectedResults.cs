using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// The async invocations a failure test made, each with its own X-Request-ID, and the check that every
/// accepted one reached its client exactly once.
/// </summary>
public sealed class ExpectedResults(IReadOnlyList<string> clientIds)
{
    private readonly Dictionary<string, List<string>> _accepted = clientIds.ToDictionary(id => id, _ => new List<string>());

    // Refused or timed out: the caller cannot know whether it was accepted, so its result may or may not come.
    private readonly HashSet<string> _unanswered = [];

    public int Accepted
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.Values.Sum(a => a.Count);
            }
        }
    }

    public int Unanswered
    {
        get
        {
            lock (_accepted)
            {
                return _unanswered.Count;
            }
        }
    }

    /// <summary>Invokes <paramref name="function"/> asynchronously for the next client in turn and records the answer.</summary>
    /// <param name="targetMayBeDown">When the silo called may be stopping, a refused connection counts as unanswered.</param>
    public async Task InvokeAsync(HttpClient http, Uri target, string function, int sent, bool targetMayBeDown)
    {
        var clientId = clientIds[sent % clientIds.Count];
        var requestId = Guid.NewGuid().ToString();
        bool accepted;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, $"invoke/{function}"))
            {
                Content = JsonContent.Create(new { payload = new { sent }, client_id = clientId, @async = true }),
            };
            request.Headers.Add("X-Request-ID", requestId);
            using var response = await http.SendAsync(request);
            accepted = response.StatusCode == HttpStatusCode.Accepted;
            if (accepted)
            {
                Assert.Equal(requestId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString());
            }
        }
        catch (Exception ex) when (ex is TaskCanceledException || (targetMayBeDown && ex is HttpRequestException))
        {
            accepted = false;
        }

        lock (_accepted)
        {
            if (accepted)
            {
                _accepted[clientId].Add(requestId);
            }
            else
            {
                _unanswered.Add(requestId);
            }
        }
    }

    /// <summary>Waits for every accepted result, then asserts none was lost or duplicated and nothing unexpected came.</summary>
    public async Task AssertEachArrivedOnceAsync(IReadOnlyList<ResilientSseClient> clients, ITestOutputHelper output)
    {
        Assert.True(Accepted > 0);
        await Eventually.UntilAsync(
            () => Task.FromResult(clients.Select((c, i) => AcceptedFor(i).All(c.Results.Contains)).All(x => x)),
            "every accepted result to reach its client",
            TimeSpan.FromSeconds(120));
        for (var i = 0; i < clients.Count; i++)
        {
            var received = clients[i].Results.ToList();
            if (received.Count != received.Distinct().Count())
            {
                output.WriteLine($"client {i} received: {string.Join(" ", clients[i].Trace)}");
            }

            Assert.Equal(received.Distinct().Count(), received.Count);
            Assert.Empty(AcceptedFor(i).Except(received));

            // A request whose answer was lost with a silo may still have been accepted; nothing else may appear.
            lock (_accepted)
            {
                Assert.Empty(received.Except(_accepted[clientIds[i]]).Except(_unanswered));
            }
        }
    }

    private List<string> AcceptedFor(int client)
    {
        lock (_accepted)
        {
            return [.. _accepted[clientIds[client]]];
        }
    }
}
