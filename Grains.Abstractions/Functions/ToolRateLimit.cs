namespace SseVirtualization.Functions;

/// <summary>How often one caller may call one MCP tool of a registration: <paramref name="Permits"/> calls per <paramref name="Window"/>.</summary>
/// <param name="Permits">Calls allowed in each window.</param>
/// <param name="Window">The length of a window (fixed windows, each starting when the previous ends).</param>
[GenerateSerializer, Immutable, Alias("sse.ToolRateLimit")]
public sealed record ToolRateLimit([property: Id(0)] int Permits, [property: Id(1)] TimeSpan Window);
