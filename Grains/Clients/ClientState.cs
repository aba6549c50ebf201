using SseVirtualization.Clients;

namespace SseVirtualization.Grains.Clients;

[GenerateSerializer, Alias("sse.ClientState")]
internal sealed class ClientState
{
    /// <summary>Id of the newest event; ids increase by one per event.</summary>
    [Id(0)]
    public long LastEventId { get; set; }

    /// <summary>Id of the newest event handed to a connection (or to the silos holding one).</summary>
    [Id(1)]
    public long SentThroughId { get; set; }

    /// <summary>The most recent events, oldest first, at most <see cref="ClientOptions.EventLogCapacity"/>.</summary>
    [Id(2)]
    public List<ClientEvent> Log { get; set; } = [];

    /// <summary>Silos holding this client's connections, with how many each holds.</summary>
    [Id(3)]
    public Dictionary<string, int> Silos { get; set; } = new(StringComparer.Ordinal);
}
