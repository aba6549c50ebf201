using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>The shell steps docs/deploy.md gives, read from the page itself, so a test runs what a reader would.</summary>
internal static class DocumentedSteps
{
    private static readonly string Page = Path.Combine(RepositoryPaths.Root, "docs", "deploy.md");

    /// <summary>The lines of the one fenced <c>bash</c> block of docs/deploy.md that contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> BlockContaining(string text)
    {
        var blocks = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in File.ReadAllLines(Page))
        {
            var trimmed = line.Trim();
            if (current is null && trimmed == "```bash")
            {
                current = [];
            }
            else if (current is not null && trimmed == "```")
            {
                blocks.Add(current);
                current = null;
            }
            else
            {
                current?.Add(trimmed);
            }
        }

        return Assert.Single(blocks, b => b.Any(l => l.Contains(text, StringComparison.Ordinal)));
    }

    /// <summary>
    /// Runs <paramref name="lines"/> with bash in <paramref name="workingDirectory"/>, after <paramref name="prelude"/>
    /// (e.g. a stand-in for a tool that needs a cluster), stopping at the first failure.
    /// </summary>
    public static async Task<ToolRun> RunAsync(IEnumerable<string> lines, string workingDirectory, string prelude = "")
    {
        var script = "set -euo pipefail\n" + prelude + "\n" + string.Join('\n', lines) + "\n";
        return await DeployTool.RunAsync("bash", ["-c", script], workingDirectory, TimeSpan.FromMinutes(1));
    }

    /// <summary>The key the steps printed (<c>Your admin key (keep it): KEY</c>).</summary>
    public static string PrintedKey(ToolRun run)
    {
        const string Heading = "Your admin key (keep it): ";
        var line = Assert.Single(run.Output.Split('\n'), l => l.StartsWith(Heading, StringComparison.Ordinal));
        var key = line[Heading.Length..].Trim();
        Assert.Matches("^[0-9a-f]{64}$", key);
        return key;
    }
}
