using Orleans.Serialization;
using Orleans.Storage;

namespace SseVirtualization.Grains.Hosting;

/// <summary>
/// Stores grain state in Orleans' binary format, the one grain calls already use: version tolerant through the
/// <c>[Id]</c> of every field, smaller, and cheaper to write than JSON. State stored as JSON, Orleans' default, is
/// still read, and is stored in binary from its next write on. Not Orleans' <c>GrainStorageSerializer</c> with a JSON
/// fallback: it tells the formats apart by trying the binary reader and catching its exception, on every read of old state.
/// </summary>
internal sealed class GrainStateSerializer(Serializer binary, JsonGrainStorageSerializer json) : IGrainStorageSerializer
{
    // Written through a pooled buffer into one array of the exact size: a client's log head is rewritten on every
    // event, and a growing buffer (Orleans' own storage serializer) allocated about three times its size each time.
    public BinaryData Serialize<T>(T? input) => new(binary.SerializeToArray(input));

    public T? Deserialize<T>(BinaryData input) => IsJson(input) ? json.Deserialize<T>(input) : binary.Deserialize<T>(input.ToMemory());

    // JSON state is an object. Binary state starts with a field header, never '{' (GrainStateSerializerTests).
    private static bool IsJson(BinaryData input) => input.ToMemory().Span is [(byte)'{', ..];
}
