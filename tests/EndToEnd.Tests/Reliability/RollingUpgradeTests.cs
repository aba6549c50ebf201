using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SseVirtualization.TestInfrastructure;
using Xunit.Abstractions;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// A cluster of the previous release upgraded silo by silo to this build under load, then rolled back silo by silo,
/// with records each build wrote read by the other (docs/deploy.md, "Rolling upgrades").
/// </summary>
public sealed class RollingUpgradeTests(PreviousReleaseFixture previous, ITestOutputHelper output) : IClassFixture<PreviousReleaseFixture>
{
    [PreviousReleaseFact]
    public async Task Upgrading_from_the_previous_release_and_back_silo_by_silo_under_load_keeps_records_and_loses_nothing()
    {
        output.WriteLine($"previous release {PreviousRelease.GitRef} built in {previous.Build.BuildTime.TotalSeconds:0} s");
        var oldSilo = previous.Build.SiloAssembly;
        var clock = Stopwatch.StartNew();
        await using var stub = await StubFunctionServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        var environment = ClusterFixture.SiloEnvironment(redis, "upgrade-" + Guid.NewGuid().ToString("N")[..12]);
        var silos = await Task.WhenAll(SiloProcess.StartAsync(environment, siloAssembly: oldSilo), SiloProcess.StartAsync(environment, siloAssembly: oldSilo));
        var next = 0;
        Uri AnyLiveSilo()
        {
            var candidate = silos[Interlocked.Increment(ref next) % silos.Length];
            return candidate.HasExited ? silos[(next + 1) % silos.Length].BaseAddress : candidate.BaseAddress;
        }

        var clientIds = Enumerable.Range(0, 4).Select(i => $"upgrade-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
        var clients = new List<ResilientSseClient>();
        using var load = new CancellationTokenSource();
        try
        {
            await WaitForClusterAsync(silos);
            using (var http = new HttpClient { BaseAddress = silos[0].BaseAddress })
            using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "work", endpoint = stub.Url("slow/300").ToString() }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            var records = new StoredRecords(stub, [.. Enumerable.Range(0, 3).Select(i => $"stored-{i}-{Guid.NewGuid():N}"[..20])]);
            await records.WriteAsync(silos, "previous", events: 6);

            clients.AddRange(clientIds.Select((id, i) => new ResilientSseClient(id, silos[i % 2].BaseAddress, AnyLiveSilo)));
            var expected = new ExpectedResults(clientIds);
            await Task.WhenAll(clients.Select(c => c.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30))));
            var invoking = Task.Run(async () =>
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                for (var sent = 0; !load.IsCancellationRequested; sent++)
                {
                    await expected.InvokeAsync(http, AnyLiveSilo(), "work", sent, targetMayBeDown: true);
                    await Task.Delay(50);
                }
            });

            // Forward: silo 0, then silo 1. Each mixed cluster starts MCP sessions on both builds and reads the old records.
            await ReplaceAsync(silos, 0, RepositoryPaths.SiloAssembly, environment);
            await AssertMixedClusterAsync(silos, records, "upgraded silo 0");
            await ReplaceAsync(silos, 1, RepositoryPaths.SiloAssembly, environment);
            await records.AssertReadableAsync(silos[0], "both silos upgraded");
            await records.WriteAsync(silos, "upgraded", events: 6);
            output.WriteLine($"upgraded both silos at {clock.Elapsed.TotalSeconds:0} s");

            // Back: the previous release reads what this build wrote, first beside it, then alone.
            await ReplaceAsync(silos, 0, oldSilo, environment);
            await AssertMixedClusterAsync(silos, records, "rolled silo 0 back");
            await ReplaceAsync(silos, 1, oldSilo, environment);
            await records.AssertReadableAsync(silos[0], "both silos rolled back");
            await records.AssertReadableAsync(silos[1], "both silos rolled back");

            await load.CancelAsync();
            await invoking;
            await expected.AssertEachArrivedOnceAsync(clients, output);
            output.WriteLine($"upgrade and roll-back of 2 silos in {clock.Elapsed.TotalSeconds:0} s: accepted={expected.Accepted} " +
                $"unanswered={expected.Unanswered} lost=0 duplicates=0 reconnects={clients.Sum(c => c.Reconnects)}");
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

    /// <summary>Stops silo <paramref name="index"/> as an orchestrator would and starts <paramref name="siloAssembly"/> in its place.</summary>
    private static async Task ReplaceAsync(SiloProcess[] silos, int index, string siloAssembly, IReadOnlyDictionary<string, string?> environment)
    {
        await silos[index].StopAsync();
        silos[index] = await SiloProcess.StartAsync(environment, siloAssembly: siloAssembly);
        await WaitForClusterAsync(silos);
    }

    private static async Task WaitForClusterAsync(SiloProcess[] silos)
    {
        foreach (var silo in silos)
        {
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            await ClusterFixture.WaitForActiveSilosAsync(http, silos.Length);
        }
    }

    /// <summary>
    /// Both builds serve the same cluster: each reads every record, and MCP sessions start through either (a session's
    /// grain lands on either silo, so calls cross between the builds).
    /// </summary>
    private static async Task AssertMixedClusterAsync(SiloProcess[] silos, StoredRecords records, string when)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        for (var i = 0; i < 8; i++)
        {
            var (starting, asking) = (silos[i % 2], silos[(i + 1) % 2]);
            var sessionId = await McpSessionProbe.StartAsync(http, starting.BaseAddress);
            await McpSessionProbe.ListToolsAsync(http, asking.BaseAddress, sessionId);
        }

        foreach (var silo in silos)
        {
            await records.AssertReadableAsync(silo, when);
        }
    }
}
