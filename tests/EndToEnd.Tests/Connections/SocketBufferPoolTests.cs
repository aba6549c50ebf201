using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Connections;

/// <summary>
/// <c>SOCKET_BUFFER_POOL</c>: every other test runs on the default (<c>shared</c>); Kestrel's own pinned pool stays a
/// working choice, and a misspelt one stops the silo before it serves anything.
/// </summary>
public sealed class SocketBufferPoolTests
{
    [Fact]
    public async Task A_silo_on_kestrels_pinned_pool_opens_streams_and_writes_heartbeats_to_them()
    {
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?>
        {
            ["SOCKET_BUFFER_POOL"] = "pinned",
            ["Gateway__HeartbeatInterval"] = "00:00:01",
        });
        await using var stream = await SseClient.ConnectAsync(silo.BaseAddress, "sse/pinned-pool");
        await stream.NextOfTypeAsync("connected");
        await stream.NextOfTypeAsync("heartbeat");
    }

    [Fact]
    public async Task An_unknown_pool_stops_the_silo_at_start_up_and_says_which_setting_is_wrong()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SiloProcess.StartAsync(new Dictionary<string, string?> { ["SOCKET_BUFFER_POOL"] = "large" }));
        Assert.Contains("SOCKET_BUFFER_POOL must be 'shared' or 'pinned', not 'large'", refused.Message, StringComparison.Ordinal);
    }
}
