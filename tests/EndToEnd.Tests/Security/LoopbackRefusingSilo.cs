using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// One silo whose functions may reach private networks but not loopback (a production cluster with
/// <c>Functions:AllowPrivateNetworks</c> set), so only loopback and this host's own addresses set it apart.
/// </summary>
public sealed class LoopbackRefusingSilo : IAsyncLifetime
{
    public SiloProcess Silo { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SiloProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Functions__AllowLoopback"] = "false",
            ["Functions__AllowPrivateNetworks"] = "true",
        });
        Http = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }
    }
}
