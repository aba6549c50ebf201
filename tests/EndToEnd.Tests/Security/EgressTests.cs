using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>
/// Where a function endpoint may point: this host's own addresses count as loopback, special-purpose ranges and
/// IPv4 addresses hidden in IPv6 forms are judged as what they reach, and a refusal never says what a name resolved to.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class EgressTests(LoopbackRefusingSilo refusing, ClusterFixture cluster) : IClassFixture<LoopbackRefusingSilo>
{
    [Fact]
    public async Task An_address_of_this_host_is_refused_where_loopback_is_and_accepted_where_loopback_is_allowed()
    {
        var own = OwnInterfaceAddress();
        var endpoint = $"http://{own}:{cluster.SiloB.HttpPort}/admin/health";

        var problem = await RefusedAsync(endpoint);
        Assert.Contains("address of this host", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The clusters that allow loopback (the embedded default, or Functions:AllowLoopback) keep accepting it.
        using var allowed = await cluster.A.PostAsJsonAsync("admin/functions", new { name = "own-" + Guid.NewGuid().ToString("N")[..8], endpoint });
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Theory]
    [InlineData("http://198.18.0.1/run", "special-purpose")]
    [InlineData("http://198.19.255.254/run", "special-purpose")]
    [InlineData("http://[::127.0.0.1]/run", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]/run", "loopback")]
    [InlineData("http://[64:ff9b::127.0.0.1]/run", "loopback")]
    [InlineData("http://[::169.254.169.254]/latest/meta-data", "metadata")]
    public async Task Special_purpose_and_ipv4_embedded_addresses_are_refused_as_what_they_reach(string endpoint, string reason)
    {
        var problem = await RefusedAsync(endpoint);

        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_names_the_host_and_the_kind_of_address_but_not_the_address_it_resolved_to()
    {
        var problem = await RefusedAsync("http://localhost:9/run");

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("localhost", detail, StringComparison.Ordinal);
        Assert.Contains("loopback", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("::1", detail, StringComparison.Ordinal);
    }

    private async Task<JsonElement> RefusedAsync(string endpoint)
    {
        using var response = await refusing.Http.PostAsJsonAsync("admin/functions", new { name = "egress-" + Guid.NewGuid().ToString("N")[..8], endpoint });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{endpoint}: {(int)response.StatusCode} {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("endpoint", problem.GetProperty("field").GetString());
        return problem;
    }

    /// <summary>An IPv4 address of one of this machine's interfaces other than loopback (192.0.2.2 on the test machines).</summary>
    private static IPAddress OwnInterfaceAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("This machine has no IPv4 address besides loopback; the test needs one.");
}
