using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SseVirtualization.EndToEnd.Tests.QuickStart;

/// <summary>
/// A README snippet run by <c>bash</c> in a process group of its own (<c>setsid</c>), so that everything it starts
/// (<c>dotnet run</c> and the silo it spawns, silos sent to the background with <c>&amp;</c>) is stopped with it.
/// </summary>
internal sealed class ShellScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _standardOutput = new();

    private ShellScript(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data, standardOutput: true);
        process.ErrorDataReceived += (_, e) => Keep(e.Data, standardOutput: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything the script and what it started wrote so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_all)
            {
                return _all.ToString();
            }
        }
    }

    /// <summary>What the script wrote to standard output alone (curl's answers without its progress meter).</summary>
    public string StandardOutput
    {
        get
        {
            lock (_all)
            {
                return _standardOutput.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="script"/> in <paramref name="folder"/> with these extra environment variables.</summary>
    public static ShellScript Start(string script, string folder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "bash", "-o", "pipefail", "-c", script },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // `dotnet test` hands its MSBuild settings down; a build the script starts must not inherit them. Nor may it leave
        // build servers behind once the test ends.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new ShellScript(Process.Start(start)!);
    }

    /// <summary>
    /// Runs <paramref name="script"/> to its end and gives what it wrote (both streams, or standard output alone when
    /// <paramref name="standardOutputOnly"/>); fails when it fails or outlives <paramref name="deadline"/>.
    /// </summary>
    public static async Task<string> RunAsync(string script, string folder, TimeSpan deadline, bool standardOutputOnly = false)
    {
        await using var shell = Start(script, folder);
        if (!await shell.WaitForExitAsync(deadline))
        {
            throw new TimeoutException($"Still running after {deadline}:\n{script}\n{shell.Output}");
        }

        Assert.True(shell.ExitCode == 0, $"Exit code {shell.ExitCode}:\n{script}\n{shell.Output}");
        return standardOutputOnly ? shell.StandardOutput : shell.Output;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the whole group: SIGTERM (silos leave their cluster), then SIGKILL for whatever remains.</summary>
    public async ValueTask DisposeAsync()
    {
        await SignalGroupAsync("TERM");
        if (!await WaitForGroupAsync(TimeSpan.FromSeconds(60)))
        {
            await SignalGroupAsync("KILL");
            await WaitForGroupAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private async Task SignalGroupAsync(string signal)
    {
        // The group's id is the script's PID (setsid made it a group leader); "-PID" names the group.
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", "-" + _process.Id.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Whether no live process of the group is left within <paramref name="deadline"/>.</summary>
    private async Task<bool> WaitForGroupAsync(TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (GroupIsAlive())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(200);
        }

        return true;
    }

    /// <summary>Whether a process of the group still runs (zombies, which only wait to be reaped, do not count).</summary>
    private bool GroupIsAlive()
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (IOException)
            {
                continue; // ended meanwhile, or not a process
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (name) state ppid pgrp ...": the name may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 2 && fields[0] != "Z" && fields[2] == _process.Id.ToString(CultureInfo.InvariantCulture))
            {
                return true;
            }
        }

        return false;
    }

    private void Keep(string? line, bool standardOutput)
    {
        if (line is null)
        {
            return;
        }

        lock (_all)
        {
            _all.Append(line).Append('\n');
            if (standardOutput)
            {
                _standardOutput.Append(line).Append('\n');
            }
        }
    }
}
