using System.ComponentModel;
using System.Diagnostics;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>What a command printed and how it ended.</summary>
internal sealed record ToolRun(string Command, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The command and everything it printed, for an assertion message.</summary>
    public override string ToString() => $"{Command} exited {ExitCode}:\n{Output}";
}

/// <summary>
/// Runs one of the command-line tools that check or start deployments (kubectl, yamllint, docker-compose, node, bash)
/// to its end, with what it prints captured, and kills it (and fails) if it outlives a deadline.
/// </summary>
internal static class DeployTool
{
    public static async Task<ToolRun> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan deadline,
        string? standardInput = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var command = $"{program} {string.Join(' ', start.ArgumentList)}";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException(command + " did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed; scripts/test.sh installs what the deploy checks need.", ex);
        }

        using (process)
        {
            // Both streams in arrival order, so a tool's errors read where they happened.
            var output = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput);
                process.StandardInput.Close();
            }

            try
            {
                await process.WaitForExitAsync().WaitAsync(deadline);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"{command} did not finish within {deadline.TotalSeconds:0} s:\n{Read(output)}");
            }

            process.WaitForExit(); // the last lines of output
            return new ToolRun(command, process.ExitCode, Read(output));
        }
    }

    private static void Append(System.Text.StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
