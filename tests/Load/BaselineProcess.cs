using System.Diagnostics;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>
/// One of the programs under <c>tests/Load/Baselines</c> (built with the tool), on a free loopback port; killed on
/// dispose. The scenarios run them beside the silo, so that what the silo costs is read against what the platform
/// alone costs, in the same run.
/// </summary>
internal sealed class BaselineProcess : IAsyncDisposable
{
    private BaselineProcess(Process process, int port)
    {
        Process = process;
        HttpPort = port;
    }

    public Process Process { get; }

    public int HttpPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");

    public int Pid => Process.Id;

    /// <param name="project">The folder and project name under Baselines, e.g. <c>YarpProxy</c>.</param>
    /// <param name="arguments">Given after <c>--urls</c>.</param>
    /// <param name="environment">Added to the process's environment.</param>
    /// <param name="ready">True once the program answers as intended.</param>
    public static async Task<BaselineProcess> StartAsync(
        string project, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, Func<Uri, Task<bool>> ready)
    {
        var assembly = Path.Combine(RepositoryPaths.Root, "tests", "Load", "Baselines", project, "bin", RepositoryPaths.Configuration,
            "net10.0", $"SseVirtualization.{project}.dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"The {project} baseline is not built: {assembly} (build tests/Load)");
        }

        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", [assembly, "--urls", $"http://127.0.0.1:{port}", .. arguments])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var baseline = new BaselineProcess(Process.Start(start)!, port);
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (baseline.Process.HasExited)
                {
                    throw new InvalidOperationException($"{project} exited: " + await baseline.Process.StandardError.ReadToEndAsync());
                }

                try
                {
                    return await ready(baseline.BaseAddress);
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, $"{project} to answer", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await baseline.DisposeAsync();
            throw;
        }

        return baseline;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }
}
