using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// The previous release's silo, built from its own checkout: a detached <c>git worktree</c> in a temporary folder,
/// removed on dispose. The build restores from the local NuGet cache.
/// </summary>
public sealed class PreviousReleaseBuild : IAsyncDisposable
{
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(15);

    private readonly string _worktree;

    private PreviousReleaseBuild(string worktree, TimeSpan buildTime)
    {
        _worktree = worktree;
        BuildTime = buildTime;
    }

    /// <summary>The built silo, for <see cref="SiloProcess.StartAsync"/>.</summary>
    public string SiloAssembly => Path.Combine(_worktree, "Silo", "bin", "Release", "net10.0", "SseVirtualization.Silo.dll");

    /// <summary>How long <c>dotnet build Silo</c> took.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>Checks out <paramref name="gitRef"/> and builds its silo (Release).</summary>
    public static async Task<PreviousReleaseBuild> BuildAsync(string gitRef)
    {
        // Worktrees left by a run that was killed are only registrations now: forget them.
        await Git.RunAsync("worktree", "prune");
        var worktree = Path.Combine(Path.GetTempPath(), "sse-previous-release-" + Guid.NewGuid().ToString("N")[..8]);
        var added = await Git.RunAsync("worktree", "add", "--detach", worktree, gitRef);
        if (added is not (0, _))
        {
            throw new InvalidOperationException($"git worktree add {gitRef} failed: {added?.Output ?? "git is not installed"}");
        }

        var build = new PreviousReleaseBuild(worktree, TimeSpan.Zero);
        try
        {
            var clock = Stopwatch.StartNew();
            await BuildSiloAsync(worktree);
            build = new PreviousReleaseBuild(worktree, clock.Elapsed);
            if (!File.Exists(build.SiloAssembly))
            {
                throw new InvalidOperationException($"The build of {gitRef} has no {build.SiloAssembly}.");
            }

            return build;
        }
        catch
        {
            await build.DisposeAsync();
            throw;
        }
    }

    private static async Task BuildSiloAsync(string worktree)
    {
        // No build servers: nothing of this build may outlive the test run.
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", "Silo", "-c", "Release", "-nologo", "-clp:ErrorsOnly", "--disable-build-servers" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = worktree,
        };

        // `dotnet test` hands its MSBuild settings down to the test host; they would point this build at the wrong SDK parts.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(BuildDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"Building the previous release took over {BuildDeadline.TotalMinutes} minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building the previous release failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Git.RunAsync("worktree", "remove", "--force", _worktree);
        if (Directory.Exists(_worktree))
        {
            Directory.Delete(_worktree, recursive: true);
            await Git.RunAsync("worktree", "prune");
        }
    }
}
