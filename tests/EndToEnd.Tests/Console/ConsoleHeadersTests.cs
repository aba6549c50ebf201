namespace SseVirtualization.EndToEnd.Tests.Console;

/// <summary>The console's files are pages with authority (loopback, the admin cookie): they must refuse to be framed.</summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class ConsoleHeadersTests(ClusterFixture cluster)
{
    [Theory]
    [InlineData("")]
    [InlineData("index.html")]
    [InlineData("console.js")]
    [InlineData("functions.js")]
    [InlineData("console.css")]
    public async Task Every_console_file_refuses_framing_and_sniffing_and_loads_only_its_own_origin(string path)
    {
        using var response = await cluster.A.GetAsync(path);

        response.EnsureSuccessStatusCode();
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
    }
}
