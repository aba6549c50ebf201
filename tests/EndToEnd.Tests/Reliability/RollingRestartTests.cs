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
        var expected = new ExpectedResults(clientIds);
        using var load = new CancellationTokenSource();
        try
        {
            await Task.WhenAll(clients.Select(c => c.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30))));
            var invoking = Task.Run(async () =>
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                for (var sent = 0; !load.IsCancellationRequested; sent++)
                {
                    await expected.InvokeAsync(http, AnyLiveSilo(), "work", sent, targetMayBeDown: true);
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

            await expected.AssertEachArrivedOnceAsync(clients, output);
            output.WriteLine($"rolling restart of 3 silos: accepted={expected.Accepted} unanswered={expected.Unanswered} lost=0 duplicates=0 reconnects={clients.Sum(c => c.Reconnects)}");
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
