using System.Globalization;
using System.Text;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// Go's duration syntax (<c>"30s"</c>, <c>"1m30s"</c>, <c>"500ms"</c>, <c>"1.5h"</c>), which the Go project's
/// clients send and read. Hand-written because .NET has no parser for it; it is small and fully tested.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var rest = text.AsSpan().Trim();
        if (rest.IsEmpty)
        {
            return false;
        }

        if (rest is "0")
        {
            return true;
        }

        double ticks = 0;
        while (!rest.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            rest = rest[numberLength..];
            var unitLength = 0;
            while (unitLength < rest.Length && !char.IsAsciiDigit(rest[unitLength]) && rest[unitLength] != '.')
            {
                unitLength++;
            }

            if (!TryUnit(rest[..unitLength], out var unitTicks))
            {
                return false;
            }

            ticks += number * unitTicks;
            rest = rest[unitLength..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    /// <summary>Formats like Go's <c>Duration.String()</c>: <c>30s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1h0m0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return duration.TotalMilliseconds >= 1
                ? $"{duration.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture)}ms"
                : $"{(duration.Ticks / 10.0).ToString("0.##", CultureInfo.InvariantCulture)}µs";
        }

        var text = new StringBuilder();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        var seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        text.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s');
        return text.ToString();
    }

    private static bool TryUnit(ReadOnlySpan<char> unit, out double ticks)
    {
        foreach (var (name, value) in Units)
        {
            if (unit.SequenceEqual(name))
            {
                ticks = value;
                return true;
            }
        }

        ticks = 0;
        return false;
    }
}
