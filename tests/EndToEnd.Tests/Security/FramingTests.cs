using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>No payload or metadata can create or alter SSE events: JSON keeps every event on one data line.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class FramingTests(ClusterFixture cluster)
{
    private const string Injection = "x\r\n\r\nevent: evil\r\ndata: {\"forged\":true}\nid: 999\n\nretry: 1\n";

    [Fact]
    public async Task Newlines_and_sse_field_text_in_metadata_and_payloads_stay_inside_one_event()
    {
        var function = await cluster.RegisterAsync("echo");
        var clientId = "framing-" + Guid.NewGuid().ToString("N")[..8];
        await using var sse = await SseClient.ConnectAsync(cluster.SiloA.BaseAddress, $"sse/{clientId}?app={Uri.EscapeDataString(Injection)}");

        var connected = await sse.NextAsync();
        Assert.Equal("connected", connected.EventType);
        Assert.Equal(Injection, JsonDocument.Parse(connected.Data).RootElement.GetProperty("metadata").GetProperty("app").GetString());

        using var invoked = await cluster.B.PostAsJsonAsync($"invoke/{function}", new { payload = new { text = Injection }, client_id = clientId, @async = true });
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var response = await sse.NextOfTypeAsync("function_response");

        Assert.Equal(Injection, JsonDocument.Parse(response.Data).RootElement.GetProperty("data").GetProperty("payload").GetProperty("text").GetString());
        Assert.NotEqual("999", response.EventId);
        Assert.DoesNotContain(sse.Received, e => e.EventType == "evil" || e.Data.StartsWith("{\"forged\"", StringComparison.Ordinal));
    }
}
