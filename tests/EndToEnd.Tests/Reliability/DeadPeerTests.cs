using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>
/// A client whose network vanishes (no FIN, no RST) is dropped once the kernel has waited Gateway:DeadPeerTimeout for
/// acknowledgements of its heartbeats, and resumes from the log when it comes back. Without the timeout the kernel keeps
/// retransmitting for about 15 minutes.
/// </summary>
public sealed class DeadPeerTests
{
    [VanishedClientFact]
    public async Task A_client_whose_network_vanishes_is_dropped_and_resumes_from_its_last_event_elsewhere()
    {
        await using var stub = await StubFunctionServer.StartAsync();
        await using var network = await VanishingNetwork.CreateAsync();
        var settings = new Dictionary<string, string?> { ["Gateway__DeadPeerTimeout"] = "00:00:03" };
        await using var cluster = await OwnCluster.StartAsync(silos: 1, settings: settings);
        var local = cluster.Silos[0];
        var environment = cluster.Environment;
        environment["BIND_ADDRESS"] = network.ServerAddress; // reached from the client's namespace only
        await using var remote = await SiloProcess.StartAsync(environment);
        using var admin = new HttpClient { BaseAddress = local.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await ClusterFixture.WaitForActiveSilosAsync(admin, 2);
        using (var created = await admin.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() }))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var stream = network.OpenStream(new Uri(remote.BaseAddress, "sse/vanishing"));
        await Eventually.UntilAsync(() => Task.FromResult(stream.Lines.Contains("event: connected")), "the client in the namespace to connect");
        await InvokeAsync(admin, "before");
        await Eventually.UntilAsync(() => Task.FromResult(stream.Lines.Contains("event: function_response")), "the first result to reach the client");
        var seen = stream.LastEventId!;
        Assert.True(await IsListedAsync(admin));

        await network.VanishAsync();
        await InvokeAsync(admin, "while-gone"); // written to a socket nobody acknowledges, as the heartbeats are

        await Eventually.UntilAsync(async () => !await IsListedAsync(admin), "the silo to drop the vanished connection", TimeSpan.FromSeconds(120));

        await using var back = await SseClient.ConnectAsync(local.BaseAddress, "sse/vanishing", r => r.Headers.Add("Last-Event-ID", seen));
        var missed = await back.NextOfTypeAsync("function_response");
        Assert.Equal("while-gone", JsonDocument.Parse(missed.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("marker").GetString());
    }

    private static async Task InvokeAsync(HttpClient http, string marker)
    {
        using var invoked = await http.PostAsJsonAsync("invoke/echo", new { payload = new { marker }, client_id = "vanishing" });
        Assert.True(invoked.IsSuccessStatusCode, await invoked.Content.ReadAsStringAsync());
    }

    private static async Task<bool> IsListedAsync(HttpClient http)
    {
        using var listing = JsonDocument.Parse(await http.GetStringAsync("admin/connections"));
        return listing.RootElement.GetProperty("connections").EnumerateArray().Any(c => c.GetProperty("client_id").GetString() == "vanishing");
    }
}
