using System.Globalization;

namespace SseVirtualization.Mcp;

/// <summary>
/// SSE event ids of MCP streams: <c>{stream}-{sequence}</c>. The stream part tells a resuming GET which stream to
/// replay (the spec forbids replaying another stream's messages); the sequence orders messages within the session.
/// </summary>
public static class McpEventId
{
    /// <summary>The standalone GET stream (and the legacy transport's only stream).</summary>
    public const int StandaloneStream = 0;

    public static string Format(int stream, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{stream}-{sequence}");

    public static bool TryParse(string? value, out int stream, out long sequence)
    {
        stream = 0;
        sequence = 0;
        if (string.IsNullOrEmpty(value) || value.Length > 40)
        {
            return false;
        }

        var dash = value.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && int.TryParse(value.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out stream)
            && long.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
