using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.QuickStart;

/// <summary>
/// The repository as a fresh clone has it: its tracked files (and new ones not ignored, so uncommitted work is tested
/// too) copied to a temporary folder, with no build output. The README's commands build and run there, so they neither
/// touch the build the other tests run from nor depend on it.
/// </summary>
public sealed class FreshCheckout : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "sse-fresh-clone-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>README.md as the checkout has it.</summary>
    public string Readme { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var listed = await Git.RunAsync("ls-files", "--cached", "--others", "--exclude-standard", "-z");
        if (listed is not (0, var files))
        {
            throw new InvalidOperationException("git ls-files failed: " + (listed?.Output ?? "git is not installed"));
        }

        foreach (var file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = Path.Combine(RepositoryPaths.Root, file);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree
            }

            var target = Path.Combine(Root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(source)); // scripts stay executable
            }
        }

        Readme = await File.ReadAllTextAsync(Path.Combine(Root, "README.md"));
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        return Task.CompletedTask;
    }
}
