using System.Diagnostics;
using System.Net.Sockets;

namespace SseVirtualization.TestInfrastructure;

/// <summary>A real <c>redis-server</c> on a free loopback port, not persisted, stopped on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process _process;
    private readonly string? _dataDirectory;

    private RedisServer(Process process, int port, string? dataDirectory)
    {
        _process = process;
        Port = port;
        _dataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; with <paramref name="dataDirectory"/> it persists there with AOF (and survives a restart).</summary>
    public static async Task<RedisServer> StartAsync(string? dataDirectory = null)
    {
        var server = new RedisServer(Launch(FreePort.Next(), dataDirectory, out var port), port, dataDirectory);
        await Eventually.UntilAsync(server.AnswersPingAsync, $"redis-server on port {port}");
        return server;
    }

    /// <summary>Stops the server as an operator would (SIGTERM, which flushes AOF).</summary>
    public Task StopAsync() => Signals.TerminateAsync(_process, TimeSpan.FromSeconds(30));

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung host.</summary>
    public Task PauseAsync() => Signals.SendAsync(_process, "STOP");

    /// <summary>Starts the server again on the same port and data directory.</summary>
    public async Task RestartAsync()
    {
        _process.Dispose();
        _process = Launch(Port, _dataDirectory, out _);
        await Eventually.UntilAsync(AnswersPingAsync, $"redis-server on port {Port} after restart");
    }

    private static Process Launch(int port, string? dataDirectory, out int usedPort)
    {
        usedPort = port;
        var persistence = dataDirectory is null
            ? "--save \"\" --appendonly no"
            : $"--save \"\" --appendonly yes --appendfsync always --dir \"{dataDirectory}\"";
        var start = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 {persistence}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run the test script (scripts/test.sh), which installs it.", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<bool> AnswersPingAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode}");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
