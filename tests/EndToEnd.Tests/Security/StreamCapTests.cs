using System.Net;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>Gateway:MaxConnectionsPerCaller: one caller cannot hold unbounded streams by spreading them over client ids.</summary>
public sealed class StreamCapTests
{
    [Fact]
    public async Task A_caller_holds_at_most_the_configured_streams_over_all_client_ids_and_a_closed_one_frees_a_place()
    {
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?> { ["Gateway__MaxConnectionsPerCaller"] = "3" });
        var open = new List<SseClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var stream = await SseClient.ConnectAsync(silo.BaseAddress, $"sse/capped-{i}");
                open.Add(stream);
                Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
                await stream.NextOfTypeAsync("connected");
            }

            using (var http = new HttpClient { BaseAddress = silo.BaseAddress })
            using (var fourth = await http.GetAsync("sse/capped-3", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
                Assert.True(fourth.Headers.Contains("Retry-After"));
                using var problem = JsonDocument.Parse(await fourth.Content.ReadAsStringAsync());
                Assert.Contains("Gateway:MaxConnectionsPerCaller", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            // The silo notices the closed stream when its writer ends; then the place is free again.
            await Eventually.UntilAsync(
                async () =>
                {
                    var again = await SseClient.ConnectAsync(silo.BaseAddress, "sse/capped-3");
                    if (again.Response.StatusCode == HttpStatusCode.OK)
                    {
                        open.Add(again);
                        return true;
                    }

                    await again.DisposeAsync();
                    return false;
                },
                "a freed place for a new stream");
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
