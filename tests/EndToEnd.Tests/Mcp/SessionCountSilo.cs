using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// One Redis-backed silo that allows <see cref="MaxSessionsPerOwner"/> live MCP sessions per owner, and signs tokens
/// so each test is an owner of its own (a token's subject).
/// </summary>
public sealed class SessionCountSilo : IAsyncLifetime
{
    public const int MaxSessionsPerOwner = 3;

    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private Dictionary<string, string?> _environment = null!;

    public RedisServer Redis { get; private set; } = null!;

    public SiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        _environment = ClusterFixture.SiloEnvironment(Redis, "mcp-count-" + Guid.NewGuid().ToString("N")[..12]);
        _environment["Mcp__MaxSessionsPerOwner"] = MaxSessionsPerOwner.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _environment["Security__Tokens__SigningKey"] = Convert.ToBase64String(_signingKey);
        Silo = await SiloProcess.StartAsync(_environment);
    }

    /// <summary>Kills the silo (no shutdown, nothing written on the way out) and starts another on the same Redis.</summary>
    public async Task RestartAsync()
    {
        await Silo.KillAsync();
        await Silo.DisposeAsync();
        Silo = await SiloProcess.StartAsync(_environment);
    }

    public HttpClient Client(string token)
    {
        var http = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A token with scope <c>mcp</c> for a new subject: a new owner.</summary>
    public string NewOwnerToken() =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "sse-virtualization",
            Audience = "sse-virtualization",
            Subject = new ClaimsIdentity([new Claim("sub", "owner-" + Guid.NewGuid().ToString("N")[..8]), new Claim("scope", "mcp")]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_signingKey), SecurityAlgorithms.HmacSha256),
        });

    public async Task DisposeAsync()
    {
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
