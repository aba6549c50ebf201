using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using SseVirtualization.Functions;
using SseVirtualization.TestInfrastructure;
using StackExchange.Redis;

namespace SseVirtualization.EndToEnd.Tests.Invocation;

/// <summary>A backend service that references only the contract, the Orleans client and Redis clustering.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ExternalClientTests(ClusterFixture cluster)
{
    [Fact]
    public async Task External_orleans_client_invokes_a_function_grain_and_the_sse_client_gets_the_result()
    {
        var function = await cluster.RegisterAsync("echo");
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        await using var sse = await SseClient.ConnectAsync(cluster.SiloB.BaseAddress, $"sse/{clientId}");
        await sse.NextOfTypeAsync("connected");

        using var host = await cluster.StartBackendClientAsync();
        try
        {
            var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<IFunctionGrain>(function);

            var sync = await grain.InvokeAsync(new InvocationRequest("{\"from\":\"backend\"}"));
            var accepted = await grain.InvokeAsync(new InvocationRequest("{\"from\":\"backend-async\"}", clientId, Async: true));

            Assert.Equal(InvocationOutcome.Succeeded, sync.Outcome);
            Assert.Equal("backend", JsonDocument.Parse(sync.DataJson!).RootElement.GetProperty("payload").GetProperty("from").GetString());
            Assert.Equal(InvocationOutcome.Accepted, accepted.Outcome);
            var item = await sse.NextOfTypeAsync("function_response");
            var result = JsonDocument.Parse(item.Data).RootElement;
            Assert.Equal(accepted.RequestId, result.GetProperty("request_id").GetString());
            Assert.Equal("backend-async", result.GetProperty("data").GetProperty("payload").GetProperty("from").GetString());
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
