using System.Collections.Concurrent;
using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// A real silo: the built <c>Silo</c> executable in its own process, with its own HTTP, silo and gateway ports,
/// configured through the same environment variables an operator uses.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly StreamWriter _log;

    private SiloProcess(Process process, int httpPort, int siloPort, int gatewayPort, bool https)
    {
        _process = process;
        Https = https;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;

        // Every line also goes to .artifacts/silo-logs, so a silo that dies mid-run can be diagnosed afterwards.
        var logs = Path.Combine(RepositoryPaths.Root, ".artifacts", "silo-logs");
        Directory.CreateDirectory(logs);
        LogFile = Path.Combine(logs, $"silo-{httpPort}-{process.Id}.log");
        _log = new StreamWriter(LogFile) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int HttpPort { get; }

    /// <summary>Every line the silo wrote (<see cref="RecentOutput"/> keeps only the last ones).</summary>
    public string LogFile { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>Whether the front end serves HTTPS (TLS_CERT_PATH was given).</summary>
    public bool Https { get; }

    /// <summary>The address the front end listens on: BIND_ADDRESS when it names one, else loopback.</summary>
    public string Host { get; private init; } = "127.0.0.1";

    public Uri BaseAddress => new($"{(Https ? "https" : "http")}://{Host}:{HttpPort}/");

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    /// <summary>Kills the silo at once (SIGKILL): no shutdown, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>The last lines the silo logged, for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>Starts a silo and waits until its HTTP front end answers.</summary>
    /// <param name="environment">Settings as environment variables.</param>
    /// <param name="workingDirectory">Where the silo is started from; the folder of its binary when null.</param>
    /// <param name="siloAssembly">
    /// The silo binary to run, e.g. another release's build (<see cref="PreviousReleaseBuild"/>); this checkout's when null.
    /// </param>
    public static async Task<SiloProcess> StartAsync(
        IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null, string? siloAssembly = null)
    {
        siloAssembly ??= RepositoryPaths.SiloAssembly;
        if (!File.Exists(siloAssembly))
        {
            throw new InvalidOperationException($"Silo is not built: {siloAssembly}");
        }

        int httpPort = FreePort.Next(), siloPort = FreePort.Next(), gatewayPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", $"\"{siloAssembly}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(siloAssembly)!,
        };
        start.Environment["PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SILO_PORT"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["GATEWAY_PORT"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var https = environment.TryGetValue("TLS_CERT_PATH", out var certificate) && !string.IsNullOrEmpty(certificate);
        var host = environment.TryGetValue("BIND_ADDRESS", out var bind) && bind is { Length: > 0 } and not "0.0.0.0" and not "::" ? bind : "127.0.0.1";
        var silo = new SiloProcess(Process.Start(start)!, httpPort, siloPort, gatewayPort, https) { Host = host };
        try
        {
            // Readiness only: a test that checks the certificate makes its own client.
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var http = new HttpClient(handler) { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.UntilAsync(
                async () =>
                {
                    if (silo.HasExited)
                    {
                        throw new InvalidOperationException("Silo exited during start-up:\n" + silo.RecentOutput);
                    }

                    return (await http.GetAsync("health/ready")).IsSuccessStatusCode;
                },
                $"silo on port {httpPort} to answer",
                TimeSpan.FromSeconds(90));
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Sends SIGTERM and returns at once; see <see cref="WaitForExitAsync"/>.</summary>
    public Task TerminateAsync() => Signals.SendAsync(_process, "TERM");

    /// <summary>Whether the silo exited within <paramref name="deadline"/> (it is left running if not).</summary>
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

    /// <summary>Asks the silo to stop as an operator would (SIGTERM) and waits for it to exit.</summary>
    public Task StopAsync() => Signals.TerminateAsync(_process, TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        lock (_log)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the silo was disposed.
            }
        }

        while (_output.Count > 300)
        {
            _output.TryDequeue(out _);
        }
    }
}
