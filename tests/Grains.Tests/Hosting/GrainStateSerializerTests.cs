using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using SseVirtualization.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;

namespace SseVirtualization.Grains.Tests.Hosting;

/// <summary>Grain state is stored in binary, and state stored as JSON by earlier versions is still read.</summary>
[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class GrainStateSerializerTests(GrainClusterFixture fixture)
{
    private IServiceProvider SiloServices => ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;

    private IGrainStorageSerializer Storage => SiloServices.GetRequiredService<IGrainStorageSerializer>();

    [Fact]
    public void Grain_state_round_trips_in_binary()
    {
        AssertRoundTrip(new ClientLogSegment());
        AssertRoundTrip(BusyLog());
        AssertRoundTrip(Client());

        void AssertRoundTrip<T>(T state)
            where T : notnull
        {
            var stored = Storage.Serialize(state);

            // The reader tells formats apart by the first byte: binary state must never look like a JSON object.
            Assert.NotEqual((byte)'{', stored.ToMemory().Span[0]);
            Assert.Equal(Describe(state), Describe(Storage.Deserialize<T>(stored)));
        }
    }

    [Fact]
    public void State_stored_as_json_by_an_earlier_version_is_still_read()
    {
        var json = ActivatorUtilities.CreateInstance<JsonGrainStorageSerializer>(SiloServices);
        AssertReadFromJson(new ClientLogSegment());
        AssertReadFromJson(BusyLog());
        AssertReadFromJson(Client());

        void AssertReadFromJson<T>(T state)
            where T : notnull
        {
            var stored = json.Serialize(state);
            Assert.Equal((byte)'{', stored.ToMemory().Span[0]);

            Assert.Equal(Describe(state), Describe(Storage.Deserialize<T>(stored)));
        }
    }

    private static ClientLogSegment BusyLog() => new()
    {
        Events =
        [
            new StoredEvent(new ClientEvent(41, ClientEventTypes.FunctionResponse, """{"data":{"ok":true}}""", DateTimeOffset.UnixEpoch.AddDays(20000), "r-1"), true),
            new StoredEvent(new ClientEvent(42, "custom", "\"{not json\"", DateTimeOffset.UnixEpoch.AddDays(20001), null), false),
        ],
        Pending =
        {
            ["r-2"] = new PendingInvocation(
                "echo",
                new InvocationRequest("""{"a":[1,2]}""", "client-1", Async: true, Timeout: TimeSpan.FromSeconds(3), RequestId: "r-2"),
                DateTimeOffset.UnixEpoch.AddDays(20002),
                Attempts: 2),
        },
    };

    private static ClientState Client() => new()
    {
        HeadSegment = 7,
        OldestSegment = 3,
        SentThroughId = 41,
        ResumeAfterId = 40,
        SegmentSize = 64,
        Silos = { ["S127.0.0.1:11111:1"] = 2 },
    };

    /// <summary>The state's content as text, to compare a copy with its original.</summary>
    private static string Describe(object? state) => state switch
    {
        ClientLogSegment log => string.Join(
            " | ",
            log.Events.Select(e => e.ToString()).Concat(log.Pending.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))),
        ClientState client => $"{client.HeadSegment} {client.OldestSegment} {client.SentThroughId} {client.ResumeAfterId} {client.SegmentSize} "
            + string.Join(",", client.Silos.Select(s => $"{s.Key}={s.Value}")),
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
