namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// The release before this one (main as of 2026-12-03), which rolling-upgrade tests start a cluster from. Found by its
/// tag, or by its commit when the tag was not fetched; a clone without that history (shallow, or an export) has neither.
/// </summary>
public static class PreviousRelease
{
    public const string Tag = "release-2026-12-03";

    public const string Commit = "b67ca6b6383af18b316e759fe26eb8da350423a2";

    private static readonly Lazy<string?> Found = new(() => FindAsync().GetAwaiter().GetResult());

    /// <summary>The tag or commit to check out; null when this clone has neither.</summary>
    public static string? GitRef => Found.Value;

    /// <summary>Why a test that needs the previous release cannot run here.</summary>
    public static string SkipReason =>
        $"The previous release (tag {Tag}, commit {Commit[..7]}) is not in this clone (shallow, or not a git checkout): " +
        $"run `git fetch --unshallow --tags` to run the rolling upgrade tests.";

    private static async Task<string?> FindAsync()
    {
        foreach (var candidate in new[] { Tag, Commit })
        {
            if (await Git.RunAsync("rev-parse", "--verify", "--quiet", candidate + "^{commit}") is (0, _))
            {
                return candidate;
            }
        }

        return null;
    }
}
