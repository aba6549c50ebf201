using System.Text.Unicode;

namespace SseVirtualization.Gateway.Http;

/// <summary>
/// Whether a JSON text decodes to Unicode text: UTF-8 that is valid, and no <c>\uXXXX</c> escape that names half a
/// surrogate pair. The parser accepts both and the first read of such a string throws, deep inside a handler, as a
/// 500; checked once where bodies are read, they are the caller's 400.
/// </summary>
internal static class JsonUnicode
{
    /// <param name="json">A text the JSON parser has accepted: a backslash occurs only inside strings, as an escape.</param>
    public static bool IsWellFormed(ReadOnlySpan<byte> json) => Utf8.IsValid(json) && !HasLoneSurrogateEscape(json);

    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var at = json.IndexOf((byte)'\\');
        while (at >= 0 && at + 1 < json.Length)
        {
            if (json[at + 1] != (byte)'u')
            {
                at = Next(json, at + 2); // \" \\ \/ \b \f \n \r \t
                continue;
            }

            var unit = CodeUnit(json, at + 2);
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true; // a low surrogate with no high one before it
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                var low = at + 7 < json.Length && json[at + 6] == (byte)'\\' && json[at + 7] == (byte)'u' ? CodeUnit(json, at + 8) : -1;
                if (low is not (>= 0xDC00 and <= 0xDFFF))
                {
                    return true; // a high surrogate not followed by a low one
                }

                at = Next(json, at + 12);
                continue;
            }

            at = Next(json, at + 6);
        }

        return false;
    }

    private static int Next(ReadOnlySpan<byte> json, int from) =>
        from >= json.Length ? -1 : json[from..].IndexOf((byte)'\\') is var found and >= 0 ? from + found : -1;

    /// <summary>The four hex digits at <paramref name="at"/>, or -1 (the parser has checked them; this is for safety).</summary>
    private static int CodeUnit(ReadOnlySpan<byte> json, int at)
    {
        if (at + 4 > json.Length)
        {
            return -1;
        }

        var value = 0;
        foreach (var b in json.Slice(at, 4))
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }
}
