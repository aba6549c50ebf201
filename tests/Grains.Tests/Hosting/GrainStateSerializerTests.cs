using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using SseVirtualization.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Mcp;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Tests.Hosting;

/// <summary>Every stored state type is stored in binary, and state stored as JSON by earlier versions is still read.</summary>
[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class GrainStateSerializerTests(GrainClusterFixture fixture)
{
    private IServiceProvider SiloServices => ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;

    private IGrainStorageSerializer Storage => SiloServices.GetRequiredService<IGrainStorageSerializer>();

    [Fact]
    public void Grain_state_round_trips_in_binary()
    {
        var storage = Storage;
        ForEachState(new RoundTrip(storage, expectJson: false));
    }

    [Fact]
    public void State_stored_as_json_by_an_earlier_version_is_still_read()
    {
        var json = ActivatorUtilities.CreateInstance<JsonGrainStorageSerializer>(SiloServices);
        ForEachState(new RoundTrip(Storage, expectJson: true, writer: json));
    }

    private static void ForEachState(RoundTrip check)
    {
        check.Assert(new ClientLogSegment());
        check.Assert(new ClientLogSegment
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
        });
        check.Assert(new ClientState
        {
            HeadSegment = 7,
            OldestSegment = 3,
            SentThroughId = 41,
            ResumeAfterId = 40,
            SegmentSize = 64,
            Silos = { ["S127.0.0.1:11111:1"] = 2 },
        });

        // Concrete collections, as FunctionGrain stores them.
        var definition = new FunctionDefinition(
            "weather", new List<Uri> { new("http://a.example/w"), new("http://b.example/w") }, "POST", TimeSpan.FromSeconds(12), "the forecast",
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-Tenant"] = "t1" }, FunctionRouting.Default, FunctionDefinition.McpKind,
            """{"type":"object"}""");
        check.Assert(new FunctionState
        {
            Function = new RegisteredFunction(definition, DateTimeOffset.UnixEpoch.AddDays(20000), DateTimeOffset.UnixEpoch.AddDays(20001), IsActive: true),
            ProtectedHeaders = "CfDJ8protected",
        });
        check.Assert(new FunctionRegistryState { Names = { "weather", "echo" } });
        check.Assert(new McpSessionState
        {
            Info = new McpSessionInfo("2025-06-18", McpSessionInfo.StreamableHttp, "client", "2.0", "{}", "owner", "info", DateTimeOffset.UnixEpoch.AddDays(20000)),
            Events = [new McpStreamEvent("session", 2, 5, """{"jsonrpc":"2.0"}""")],
            NextSequence = 6,
            NextStream = 3,
            LastSeenAt = DateTimeOffset.UnixEpoch.AddDays(20003),
        });
    }

    /// <summary>Writes a state (in binary, or as an earlier version did), reads it back with the silo's serializer, and compares.</summary>
    private sealed class RoundTrip(IGrainStorageSerializer storage, bool expectJson, IGrainStorageSerializer? writer = null)
    {
        public void Assert<T>(T state)
            where T : notnull
        {
            var stored = (writer ?? storage).Serialize(state);

            // The reader tells formats apart by the first byte: binary state must never look like a JSON object.
            Xunit.Assert.Equal(expectJson, stored.ToMemory().Span[0] == (byte)'{');
            Xunit.Assert.Equal(Describe(state), Describe(storage.Deserialize<T>(stored)));
        }

        /// <summary>The state's content as text (every public property), to compare a copy with its original.</summary>
        private static string Describe<T>(T state) => JsonSerializer.Serialize(state);
    }
}
