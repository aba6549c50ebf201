using System.Diagnostics;
using System.Globalization;

namespace SseVirtualization.TestInfrastructure;

/// <summary>Stops processes the way an operator or an orchestrator does.</summary>
public static class Signals
{
    /// <summary>Sends SIGTERM and waits up to <paramref name="grace"/> for the process to exit, then kills it.</summary>
    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
