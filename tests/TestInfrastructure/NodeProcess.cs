using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Node.js programs of <c>tests/McpClients</c>: servers started on a loopback port and waited for until they answer
/// HTTP (killed on stop), and one-shot scripts run to their end (killed after a deadline).
/// </summary>
public static class NodeProcess
{
    /// <summary>Starts <c>node</c> with <paramref name="arguments"/> and <c>PORT</c>, and returns once <paramref name="probe"/> answers anything over HTTP.</summary>
    public static async Task<Process> StartServerAsync(IEnumerable<string> arguments, int port, Uri probe, string what)
    {
        McpClientsFolder.EnsureInstalled();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = McpClientsFolder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    try
                    {
                        using var response = await http.GetAsync(probe);
                        return true; // any HTTP answer means it listens
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                },
                what + " listening",
                TimeSpan.FromSeconds(30));
        }
        catch
        {
            Stop(process, what);
            throw;
        }

        return process;
    }

    /// <summary>Kills a server and waits for it to go.</summary>
    public static void Stop(Process process, string what)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            if (!process.WaitForExit(30_000))
            {
                throw new InvalidOperationException(what + " did not exit after kill");
            }
        }

        process.Dispose();
    }

    /// <summary>Runs a script to its end and returns its exit code and what it printed (killed, and a timeout, after <paramref name="deadline"/>).</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(IEnumerable<string> arguments, TimeSpan deadline)
    {
        McpClientsFolder.EnsureInstalled();
        var start = new ProcessStartInfo("node") { WorkingDirectory = McpClientsFolder.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', start.ArgumentList)} did not finish: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
