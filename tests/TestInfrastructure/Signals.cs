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

        await SendAsync(process, "TERM");
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

    /// <summary>Sends <paramref name="signal"/> (a name <c>kill</c> knows: TERM, STOP, CONT) without waiting for its effect.</summary>
    public static async Task SendAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }
}
