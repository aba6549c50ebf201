using System.Text;

namespace SseVirtualization.Search;

/// <summary>A piece of a document small enough for the model: its section heading and its text.</summary>
public sealed record Chunk(string Heading, string Text);

/// <summary>
/// Splits Markdown into chunks along its structure: each section (under its nearest heading) is cut at paragraph
/// boundaries into pieces of at most the given size; a paragraph longer than that is cut at sentence ends, then
/// at spaces. Code fences count as paragraphs. The heading is kept with each piece, so a chunk knows its topic.
/// </summary>
public static class MarkdownChunker
{
    public static IReadOnlyList<Chunk> Split(string markdown, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 100);
        var chunks = new List<Chunk>();
        var heading = string.Empty;
        var paragraphs = new List<string>();
        var paragraph = new StringBuilder();
        var inFence = false;

        void EndParagraph()
        {
            if (paragraph.Length > 0)
            {
                paragraphs.Add(paragraph.ToString().Trim());
                paragraph.Clear();
            }
        }

        void EndSection()
        {
            EndParagraph();
            Pack(chunks, heading, paragraphs, maxChars);
            paragraphs.Clear();
        }

        foreach (var rawLine in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = rawLine.TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && IsHeading(line))
            {
                EndSection();
                heading = line.TrimStart('#').Trim();
                continue;
            }

            if (!inFence && line.Length == 0)
            {
                EndParagraph();
                continue;
            }

            paragraph.Append(line).Append('\n');
        }

        EndSection();
        return chunks;
    }

    /// <summary>An ATX heading: one to six '#' then a space or the end of the line (not "#5" or "#tag").</summary>
    private static bool IsHeading(string line)
    {
        var level = 0;
        while (level < line.Length && line[level] == '#')
        {
            level++;
        }

        return level is >= 1 and <= 6 && (level == line.Length || line[level] == ' ');
    }

    private static void Pack(List<Chunk> chunks, string heading, List<string> paragraphs, int maxChars)
    {
        var current = new StringBuilder();
        foreach (var piece in paragraphs.Where(p => p.Length > 0).SelectMany(p => Cut(p, maxChars)))
        {
            if (current.Length > 0 && current.Length + 2 + piece.Length > maxChars)
            {
                chunks.Add(new Chunk(heading, current.ToString()));
                current.Clear();
            }

            if (current.Length > 0)
            {
                current.Append("\n\n");
            }

            current.Append(piece);
        }

        if (current.Length > 0)
        {
            chunks.Add(new Chunk(heading, current.ToString()));
        }
    }

    /// <summary>A paragraph in pieces of at most <paramref name="maxChars"/>: at sentence ends, else at spaces, else hard.</summary>
    private static IEnumerable<string> Cut(string text, int maxChars)
    {
        while (text.Length > maxChars)
        {
            var window = text.AsSpan(0, maxChars);
            var cut = window.LastIndexOf(". ");
            cut = cut > maxChars / 3 ? cut + 1 : window.LastIndexOf(' ');
            if (cut <= 0)
            {
                cut = maxChars;
            }

            if (cut > 1 && char.IsHighSurrogate(text[cut - 1]))
            {
                cut--; // never split a character in two
            }

            yield return text[..cut].Trim();
            text = text[cut..].TrimStart();
        }

        if (text.Length > 0)
        {
            yield return text;
        }
    }
}
