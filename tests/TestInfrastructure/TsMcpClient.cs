using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// The official TypeScript MCP SDK client, run by <c>tests/McpClients/driver.mjs</c> in its own Node process and
/// driven one JSON command per line (the commands are listed in that folder's README). Dispose to close it.
/// </summary>
public sealed class TsMcpClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly System.Text.StringBuilder _stderr = new();

    private TsMcpClient(Process process) => _process = process;

    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static TsMcpClient Start()
    {
        McpClientsFolder.EnsureInstalled();
        var start = new ProcessStartInfo("node", "driver.mjs")
        {
            WorkingDirectory = McpClientsFolder.Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var client = new TsMcpClient(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (client._stderr)
                {
                    client._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>Sends one command and returns the driver's reply (<c>ok</c> tells success).</summary>
    public async Task<JsonElement> SendAsync(object command, TimeSpan? timeout = null)
    {
        await _turn.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
            await _process.StandardInput.FlushAsync();
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                // The pending read would take the next command's reply: this client is done.
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The TypeScript MCP client did not answer {JsonSerializer.Serialize(command)}. stderr:\n{Errors}");
            }

            if (line is null)
            {
                throw new InvalidOperationException("The TypeScript MCP client exited. stderr:\n" + Errors);
            }

            return JsonDocument.Parse(line).RootElement.Clone();
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Sends a command that must succeed; fails the test with the driver's error otherwise.</summary>
    public async Task<JsonElement> OkAsync(object command, TimeSpan? timeout = null)
    {
        var reply = await SendAsync(command, timeout);
        if (!reply.GetProperty("ok").GetBoolean())
        {
            throw new InvalidOperationException($"{JsonSerializer.Serialize(command)} failed: {reply}\nstderr:\n{Errors}");
        }

        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _turn.Dispose();
    }

    /// <summary>Builds a command object: <c>Command("callTool", ("name", "echo"))</c>.</summary>
    public static JsonObject Command(string op, params (string Name, object? Value)[] fields)
    {
        var command = new JsonObject { ["op"] = op };
        foreach (var (name, value) in fields)
        {
            command[name] = JsonSerializer.SerializeToNode(value);
        }

        return command;
    }
}
