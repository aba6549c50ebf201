using System.Net.Http.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// The MCP test cluster: Redis, two silos, a stub function server, the reference MCP server (server-everything) and
/// the upstream fixture server (<c>tests/McpClients/fixture-server.mjs</c>), shared by
/// <see cref="McpCollectionDefinition"/>. Tools are functions registered on the stub with an input schema; the two
/// MCP servers are registered as remote MCP servers named <c>everything</c> and <c>fixture</c>.
/// POST streams close after <see cref="PollAfter"/> while a tool runs, so resumption is exercised on every slow call.
/// </summary>
public sealed class McpFixture : IAsyncLifetime
{
    public static readonly TimeSpan PollAfter = TimeSpan.FromMilliseconds(400);

    public RedisServer Redis { get; private set; } = null!;

    public StubFunctionServer Stub { get; private set; } = null!;

    public EverythingServer Everything { get; private set; } = null!;

    /// <summary>The conformance suite's fixtures and the transparency tests' own tools, registered as <c>fixture</c>.</summary>
    public FixtureMcpServer Fixture { get; private set; } = null!;

    /// <summary>A server that speaks only MCP 2026-07-28, registered as <c>modern</c> (the layer bridges 2025 clients to it).</summary>
    public FixtureMcpServer ModernServer { get; private set; } = null!;

    public SiloProcess SiloA { get; private set; } = null!;

    public SiloProcess SiloB { get; private set; } = null!;

    public Uri McpA => new(SiloA.BaseAddress, "mcp");

    public Uri McpB => new(SiloB.BaseAddress, "mcp");

    public HttpClient A { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clusterId = "mcp-" + Guid.NewGuid().ToString("N")[..12];
        Redis = await RedisServer.StartAsync();
        Stub = await StubFunctionServer.StartAsync();
        Everything = await EverythingServer.StartAsync();
        Fixture = await FixtureMcpServer.StartAsync();
        ModernServer = await FixtureMcpServer.StartModernAsync();
        var environment = ClusterFixture.SiloEnvironment(Redis, clusterId);
        environment["Mcp__PollAfter"] = "00:00:00.400";
        environment["Mcp__KeepAliveInterval"] = "00:00:02";
        // Every test here is the same owner (anonymous, on loopback) and most clients never DELETE their session:
        // the suite opens more than the default 100 in its run. The bound itself is tested in SessionCountTests.
        environment["Mcp__MaxSessionsPerOwner"] = "10000";
        var silos = await Task.WhenAll(SiloProcess.StartAsync(environment), SiloProcess.StartAsync(environment));
        (SiloA, SiloB) = (silos[0], silos[1]);
        A = new HttpClient { BaseAddress = SiloA.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var b = new HttpClient { BaseAddress = SiloB.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await ClusterFixture.WaitForActiveSilosAsync(A, 2);
        await ClusterFixture.WaitForActiveSilosAsync(b, 2);

        await RegisterAsync(new()
        {
            ["name"] = "everything",
            ["kind"] = "mcp",
            ["endpoint"] = Everything.McpUrl.ToString(),
            ["description"] = "The reference MCP server",
        });
        await RegisterAsync(new()
        {
            ["name"] = "fixture",
            ["kind"] = "mcp",
            ["endpoint"] = Fixture.McpUrl.ToString(),
            ["description"] = "The upstream fixture server",
        });
        await RegisterAsync(new()
        {
            ["name"] = "modern",
            ["kind"] = "mcp",
            ["endpoint"] = ModernServer.McpUrl.ToString(),
            ["description"] = "A server that speaks only MCP 2026-07-28",
        });
    }

    /// <summary>Registers (or replaces) a function or MCP server; fails the test on anything but 200/201.</summary>
    public async Task RegisterAsync(Dictionary<string, object?> body)
    {
        using var response = await A.PostAsJsonAsync("admin/functions", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Registers a function tool on a stub path under a fresh name and returns the name.</summary>
    public async Task<string> RegisterToolAsync(string stubPath, string prefix = "tool", object? inputSchema = null, object? outputSchema = null)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        await RegisterAsync(new()
        {
            ["name"] = name,
            ["endpoint"] = Stub.Url(stubPath).ToString(),
            ["description"] = $"Test tool on {stubPath}",
            ["retry"] = false,
            ["input_schema"] = inputSchema ?? new { type = "object", properties = new { message = new { type = "string" } } },
            ["output_schema"] = outputSchema,
        });
        return name;
    }

    public async Task DisposeAsync()
    {
        A?.Dispose();
        foreach (var silo in new[] { SiloA, SiloB })
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }

        if (Everything is not null)
        {
            await Everything.DisposeAsync();
        }

        if (Fixture is not null)
        {
            await Fixture.DisposeAsync();
        }

        if (ModernServer is not null)
        {
            await ModernServer.DisposeAsync();
        }

        if (Stub is not null)
        {
            await Stub.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class McpCollectionDefinition : ICollectionFixture<McpFixture>
{
    public const string Name = "mcp cluster";
}
