using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

public sealed class SiloDeathTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Killing_a_silo_with_clients_and_invocations_in_flight_loses_and_duplicates_no_accepted_result(int siloCount)
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: siloCount);
        var (victim, survivor) = (cluster.Silos[0], cluster.Silos[1]);
        using var http = new HttpClient { BaseAddress = survivor.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "work", endpoint = stub.Url("slow/400").ToString() }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Two clients on the silo that dies, the others spread over the survivors.
        var clientIds = Enumerable.Range(0, 2 * siloCount).Select(i => $"survivor-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
        var clients = clientIds.Select((id, i) => new ResilientSseClient(id, cluster.Silos[i / 2].BaseAddress, survivor.BaseAddress)).ToArray();
        try
        {
            await Task.WhenAll(clients.Select(c => c.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30))));
            var accepted = clientIds.ToDictionary(id => id, _ => new List<string>());
            var unanswered = new HashSet<string>(); // refused or timed out: the caller cannot know whether it was accepted
            var refused = 0;
            var sent = 0;
            var killedAt = DateTimeOffset.MinValue;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(6))
            {
                if (killedAt == DateTimeOffset.MinValue && clock.Elapsed > TimeSpan.FromSeconds(2))
                {
                    await victim.KillAsync();
                    killedAt = DateTimeOffset.UtcNow;
                }

                var clientId = clientIds[sent++ % clientIds.Length];
                var requestId = Guid.NewGuid().ToString();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "invoke/work")
                    {
                        Content = JsonContent.Create(new { payload = new { sent }, client_id = clientId, @async = true }),
                    };
                    request.Headers.Add("X-Request-ID", requestId);
                    using var response = await http.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Assert.Equal(requestId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString());
                        accepted[clientId].Add(requestId);
                    }
                    else
                    {
                        refused++;
                        unanswered.Add(requestId);
                    }
                }
                catch (TaskCanceledException)
                {
                    refused++;
                    unanswered.Add(requestId);
                }

                await Task.Delay(40);
            }

            var total = accepted.Values.Sum(a => a.Count);
            await Eventually.UntilAsync(
                () => Task.FromResult(clients.Select((c, i) => accepted[clientIds[i]].All(c.Results.Contains)).All(x => x)),
                "every accepted result to reach its client",
                TimeSpan.FromSeconds(120));

            var lost = 0;
            var duplicates = 0;
            for (var i = 0; i < clients.Length; i++)
            {
                var received = clients[i].Results.ToList();
                duplicates += received.Count - received.Distinct().Count();
                if (received.Count != received.Distinct().Count())
                {
                    output.WriteLine($"client {i} received: {string.Join(" ", clients[i].Trace)}");
                }

                lost += accepted[clientIds[i]].Count(id => !received.Contains(id));
                Assert.Equal(received.Distinct().Count(), received.Count);
                Assert.Empty(accepted[clientIds[i]].Except(received));

                // A request whose answer was lost with the silo may still have been accepted; nothing else may appear.
                Assert.Empty(received.Except(accepted[clientIds[i]]).Except(unanswered));
            }

            var lastServedAgain = clients.Take(2).Max(c => c.ServedAgainAt);
            output.WriteLine($"silos={siloCount} accepted={total} refused={refused} lost={lost} duplicates={duplicates} " +
                $"moved clients served again {(lastServedAgain - killedAt)?.TotalSeconds:0.0} s after the kill");
            Assert.All(clients.Take(2), c => Assert.True(c.Reconnects > 0));
            Assert.True(total > 0);

            // Registrations are intact.
            var function = await http.GetFromJsonAsync<JsonElement>("admin/functions/work");
            Assert.Equal("work", function.GetProperty("name").GetString());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
