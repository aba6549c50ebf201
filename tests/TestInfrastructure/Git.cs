using System.ComponentModel;
using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>Runs <c>git</c> in the repository, for tests that need another commit of it.</summary>
public static class Git
{
    /// <summary>Runs git with <paramref name="arguments"/>; the exit code and what it wrote, or null when git is not installed.</summary>
    public static async Task<(int ExitCode, string Output)?> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, (await output) + (await error));
        }
    }
}
