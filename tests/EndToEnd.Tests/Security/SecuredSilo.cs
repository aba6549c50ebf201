using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>A silo (embedded mode) with API keys and a token signing key configured, and a stub function.</summary>
public sealed class SecuredSilo : IAsyncLifetime
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string ServiceKey = "service-key-0123456789abcdef";
    public const string Issuer = "sse-virtualization";
    public const string Audience = "sse-virtualization";

    public const int InvocationsPerSecond = 5;
    public const int ConnectionsPerSecond = 20;
    public const int MaxConnectionsPerClient = 3;

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    public SiloProcess Silo { get; private set; } = null!;

    public StubFunctionServer Stub { get; private set; } = null!;

    /// <summary>No credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stub = await StubFunctionServer.StartAsync();
        Silo = await SiloProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Security__ApiKeys__0__Name"] = "ops",
            ["Security__ApiKeys__0__Hash"] = Hash(AdminKey),
            ["Security__ApiKeys__0__Role"] = "admin",
            ["Security__ApiKeys__1__Name"] = "backend",
            ["Security__ApiKeys__1__Hash"] = Hash(ServiceKey),
            ["Security__ApiKeys__1__Role"] = "service",
            ["Security__Tokens__SigningKey"] = Convert.ToBase64String(SigningKey),
            // Low limits, so the tests can reach them; each caller (token subject, key, address) has its own.
            ["Security__RateLimits__InvocationsPerSecond"] = InvocationsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Security__RateLimits__ConnectionsPerSecond"] = ConnectionsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Security__RateLimits__BurstSeconds"] = "1",
            ["Gateway__MaxConnectionsPerClient"] = MaxConnectionsPerClient.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Anonymous = Client(null);
        Admin = Client(AdminKey);
        Service = Client(ServiceKey);
    }

    public HttpClient Client(string? apiKey)
    {
        var http = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return http;
    }

    /// <summary>A token signed here, for the cases the silo must refuse (expired, other audience, forged).</summary>
    public string SignToken(string clientId, DateTimeOffset expires, string scope = "stream", string audience = Audience, byte[]? key = null, IDictionary<string, object>? headers = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("scope", scope)]),
            NotBefore = expires.UtcDateTime.AddHours(-2),
            IssuedAt = expires.UtcDateTime.AddHours(-2),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
            AdditionalHeaderClaims = headers,
        });

    public async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        Service?.Dispose();
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        if (Stub is not null)
        {
            await Stub.DisposeAsync();
        }
    }

    internal static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
