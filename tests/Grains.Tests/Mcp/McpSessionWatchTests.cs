using SseVirtualization.Mcp;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Grains.Tests.Mcp;

/// <summary>
/// A session pushes every message it stores to the silos watching it (those holding one of its streams), and the
/// watchers are stored with it: a session whose grain is deactivated and comes back still pushes.
/// </summary>
[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class McpSessionWatchTests(GrainClusterFixture fixture)
{
    private string SiloA => fixture.Cluster.Silos[0].SiloAddress.ToParsableString();

    private string SiloB => fixture.Cluster.Silos[1].SiloAddress.ToParsableString();

    [Fact]
    public async Task A_session_pushes_to_its_watchers_after_its_grain_comes_back_and_stops_for_a_silo_that_unwatched()
    {
        var sessionId = "watch-" + Guid.NewGuid().ToString("N");
        var session = fixture.Grains.GetGrain<IMcpSessionGrain>(sessionId);
        Assert.Equal(McpSessionStart.Started, await session.StartSessionAsync(
            new McpSessionInfo("2025-11-25", McpSessionInfo.StreamableHttp, "test", "1", "{}", "owner-" + sessionId, null, DateTimeOffset.UtcNow)));
        await session.WatchAsync(SiloA);
        await session.WatchAsync(SiloB);

        // Deactivated: the next message activates the session from storage, watchers included.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await session.AppendAsync(McpEventId.StandaloneStream, "{\"n\":1}");
        await Eventually.UntilAsync(() => PushedBoth(sessionId, "{\"n\":1}"), "the first message pushed to both silos after reactivation");

        await session.UnwatchAsync(SiloB);
        await session.AppendAsync(McpEventId.StandaloneStream, "{\"n\":2}");
        await session.WatchAsync(SiloB);
        await session.AppendAsync(McpEventId.StandaloneStream, "{\"n\":3}");
        await Eventually.UntilAsync(() => PushedBoth(sessionId, "{\"n\":3}"), "the third message pushed to both silos");

        // Silo B, unwatching, missed the second (which is stored: its stream would replay it on resuming).
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], RecordingSiloMcpGrain.PushedTo(SiloA, sessionId).Order(StringComparer.Ordinal));
        Assert.Equal(["{\"n\":1}", "{\"n\":3}"], RecordingSiloMcpGrain.PushedTo(SiloB, sessionId).Order(StringComparer.Ordinal));
    }

    private Task<bool> PushedBoth(string sessionId, string message) => Task.FromResult(
        RecordingSiloMcpGrain.PushedTo(SiloA, sessionId).Contains(message) && RecordingSiloMcpGrain.PushedTo(SiloB, sessionId).Contains(message));
}
