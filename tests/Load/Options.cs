using System.Globalization;

namespace SseVirtualization.Load;

/// <summary><c>--name value</c> options with defaults; every scenario is bounded by them.</summary>
internal sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                key = arg[2..];
                values[key] = "true";
            }
            else if (key is not null)
            {
                values[key] = arg;
                key = null;
            }
        }

        return new Options(values);
    }

    public int Int(string name, int fallback) =>
        values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public TimeSpan Seconds(string name, double fallback) =>
        TimeSpan.FromSeconds(values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback);

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);
}
