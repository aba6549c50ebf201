using System.Net;
using System.Net.Http.Json;
using SseVirtualization.TestInfrastructure;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

public sealed class RollingRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Restarting_each_of_three_silos_in_turn_under_load_loses_and_duplicates_nothing()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var cluster = await OwnCluster.StartAsync(silos: 3);
        var silos = cluster.Silos.ToArray();
        var next = 0;
        Uri AnyLiveSilo()
        {
            for (var i = 0; i < silos.Length; i++)
            {
                var candidate = silos[Interlocked.Increment(ref next) % silos.Length];
                if (!candidate.HasExited)
                {
                    return candidate.BaseAddress;
                }
            }

            return silos[0].BaseAddress;
        }

        using (var http = new HttpClient { BaseAddress = silos[0].BaseAddress })
        using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "work", endpoint = stub.Url("slow/300").ToString() }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var clientIds = Enumerable.Range(0, 6).Select(i => $"rolling-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
        var clients = clientIds.Select((id, i) => new ResilientSseClient(id, silos[i % 3].BaseAddress, AnyLiveSilo)).ToArray();
        var accepted = clientIds.ToDictionary(id => id, _ => new List<string>());
        var unanswered = new HashSet<string>();
        using var load = new CancellationTokenSource();
        try
        {
            await Task.WhenAll(clients.Select(c => c.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30))));
            var invoking = Task.Run(async () =>
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                for (var sent = 0; !load.IsCancellationRequested; sent++)
                {
                    var clientId = clientIds[sent % clientIds.Length];
                    var requestId = Guid.NewGuid().ToString();
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(AnyLiveSilo(), "invoke/work"))
                        {
                            Content = JsonContent.Create(new { payload = new { sent }, client_id = clientId, @async = true }),
                        };
                        request.Headers.Add("X-Request-ID", requestId);
                        using var response = await http.SendAsync(request);
                        lock (accepted)
                        {
                            if (response.StatusCode == HttpStatusCode.Accepted)
                            {
                                accepted[clientId].Add(requestId);
                            }
                            else
                            {
                                unanswered.Add(requestId);
                            }
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        lock (accepted)
                        {
                            unanswered.Add(requestId);
                        }
                    }

                    await Task.Delay(30);
                }
            });

            for (var i = 0; i < silos.Length; i++)
            {
                await silos[i].StopAsync();
                silos[i] = await SiloProcess.StartAsync(cluster.Environment);
                using var http = new HttpClient { BaseAddress = silos[i].BaseAddress };
                await ClusterFixture.WaitForActiveSilosAsync(http, 3);
            }

            await load.CancelAsync();
            await invoking;

            await Eventually.UntilAsync(
                () => Task.FromResult(clients.Select((c, i) => accepted[clientIds[i]].All(c.Results.Contains)).All(x => x)),
                "every accepted result to reach its client",
                TimeSpan.FromSeconds(120));
            var total = accepted.Values.Sum(a => a.Count);
            var duplicates = 0;
            for (var i = 0; i < clients.Length; i++)
            {
                var received = clients[i].Results.ToList();
                duplicates += received.Count - received.Distinct().Count();
                Assert.Equal(received.Distinct().Count(), received.Count);
                Assert.Empty(accepted[clientIds[i]].Except(received));
                Assert.Empty(received.Except(accepted[clientIds[i]]).Except(unanswered));
            }

            output.WriteLine($"rolling restart of 3 silos: accepted={total} unanswered={unanswered.Count} lost=0 duplicates={duplicates} reconnects={clients.Sum(c => c.Reconnects)}");
            Assert.True(total > 0);
        }
        finally
        {
            await load.CancelAsync();
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
