namespace SseVirtualization.Grains.Functions;

[GenerateSerializer, Alias("sse.FunctionRegistryState")]
internal sealed class FunctionRegistryState
{
    [Id(0)]
    public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}
