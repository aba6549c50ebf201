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
            var expected = new ExpectedResults(clientIds);
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

                await expected.InvokeAsync(http, survivor.BaseAddress, "work", sent++, targetMayBeDown: false);
                await Task.Delay(40);
            }

            await expected.AssertEachArrivedOnceAsync(clients, output);
            var lastServedAgain = clients.Take(2).Max(c => c.ServedAgainAt);
            output.WriteLine($"silos={siloCount} accepted={expected.Accepted} refused={expected.Unanswered} lost=0 duplicates=0 " +
                $"moved clients served again {(lastServedAgain - killedAt)?.TotalSeconds:0.0} s after the kill");
            Assert.All(clients.Take(2), c => Assert.True(c.Reconnects > 0));

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
