using System.Text.RegularExpressions;

namespace SseVirtualization.EndToEnd.Tests.QuickStart;

/// <summary>
/// The shell commands of README.md, read from its fenced <c>bash</c> blocks, so a test runs what a reader copies and
/// never a copy of it that could drift.
/// </summary>
internal static partial class ReadmeBlocks
{
    /// <summary>The <c>bash</c> blocks of the part of <paramref name="readme"/> from <paramref name="start"/> up to the next <c>## </c> heading.</summary>
    public static IReadOnlyList<string> BashBlocksFrom(string readme, string start)
    {
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"README.md has no '{start}'.");
        var next = readme.IndexOf("\n## ", from + start.Length, StringComparison.Ordinal);
        var part = next < 0 ? readme[from..] : readme[from..next];
        return [.. FencedBash().Matches(part).Select(m => m.Groups["body"].Value)];
    }

    /// <summary>
    /// The commands of a block: a line ending in <c>\</c>, or leaving a single-quoted string open, goes on on the next line.
    /// </summary>
    public static IReadOnlyList<string> Commands(string block)
    {
        var commands = new List<string>();
        var current = "";
        foreach (var line in block.Split('\n'))
        {
            current = current.Length == 0 ? line : current + "\n" + line;
            var open = current.Count(c => c == '\'') % 2 == 1;
            if (!open && !current.EndsWith('\\'))
            {
                if (current.Trim() is { Length: > 0 } command && !command.StartsWith('#'))
                {
                    commands.Add(command);
                }

                current = "";
            }
        }

        return commands;
    }

    /// <summary>Every <c>"text":"…"</c> a command sends.</summary>
    public static IEnumerable<string> SentTexts(string command) => SentText().Matches(command).Select(m => m.Groups["text"].Value);

    /// <summary>Puts other ports in place of the README's (whole numbers only: 8080 → 23456, but never in 18080).</summary>
    public static string WithPorts(string text, IReadOnlyDictionary<int, int> ports)
    {
        foreach (var (from, to) in ports)
        {
            text = Regex.Replace(text, $"(?<![0-9]){from}(?![0-9])", to.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return text;
    }

    [GeneratedRegex(@"^```bash\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBash();

    [GeneratedRegex("\"text\":\"(?<text>[^\"]*)\"")]
    private static partial Regex SentText();
}
