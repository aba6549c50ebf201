using System.Diagnostics;
using System.Text.Json;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// <c>tests/McpClients/fixture-server.mjs</c>: an upstream MCP server (official TypeScript SDK, Streamable HTTP,
/// <c>/mcp</c>) on a loopback port, with the conformance suite's fixtures and the <c>fixture_*</c> tools of the
/// gateway tests (see that folder's README). <see cref="CallsAsync"/> reads what <c>fixture_wait</c> recorded, to
/// prove a cancellation reached the upstream before the call would have ended. <see cref="StartModernAsync"/> starts
/// <c>modern-server.mjs</c> instead: a server that speaks only MCP 2026-07-28.
/// </summary>
public sealed class FixtureMcpServer : IAsyncDisposable
{
    private readonly string _script;
    private Process? _process;

    private FixtureMcpServer(int port, string script) => (Port, _script) = (port, script);

    public int Port { get; }

    public Uri McpUrl => new($"http://127.0.0.1:{Port}/mcp");

    public static Task<FixtureMcpServer> StartAsync() => StartAsync("fixture-server.mjs");

    /// <summary><c>modern-server.mjs</c>: tools <c>modern_echo</c> and <c>modern_confirm</c> (an elicitation, the 2026 way), 2026-07-28 only.</summary>
    public static Task<FixtureMcpServer> StartModernAsync() => StartAsync("modern-server.mjs");

    private static async Task<FixtureMcpServer> StartAsync(string script)
    {
        McpClientsFolder.EnsureInstalled();
        var server = new FixtureMcpServer(FreePort.Next(), script);
        await server.LaunchAsync();
        return server;
    }

    /// <summary>
    /// The <c>fixture_wait</c> calls tagged <paramref name="tag"/>, in start order: a JSON array of
    /// <c>{tag, ms, sessionId, cancelled, startedAt, endedAt, elapsedMs}</c> (<c>endedAt</c>/<c>elapsedMs</c> are null
    /// while the call still runs).
    /// </summary>
    public async Task<JsonElement> CallsAsync(string tag)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/fixture/calls?tag={Uri.EscapeDataString(tag)}"));
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var document = await JsonDocument.ParseAsync(body);
        return document.RootElement.Clone();
    }

    private async Task LaunchAsync() =>
        _process = await NodeProcess.StartServerAsync([_script], Port, McpUrl, "fixture MCP server " + _script);

    private void Stop()
    {
        if (_process is { } process)
        {
            _process = null;
            NodeProcess.Stop(process, "fixture MCP server " + _script);
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
