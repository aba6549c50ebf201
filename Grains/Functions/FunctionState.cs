using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Functions;

[GenerateSerializer, Alias("sse.FunctionState")]
internal sealed class FunctionState
{
    [Id(0)]
    public RegisteredFunction? Function { get; set; }
}
