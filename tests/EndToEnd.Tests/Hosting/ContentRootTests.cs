using System.Net;
using System.Net.Http.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>A silo started from any folder (as scripts and service managers do) runs with its own settings.</summary>
public sealed class ContentRootTests
{
    [Fact]
    public async Task Started_from_another_folder_the_silo_reads_its_own_appsettings()
    {
        var elsewhere = Directory.CreateTempSubdirectory("silo-cwd-").FullName;
        try
        {
            await using var stub = await StubFunctionServer.StartAsync();
            await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string?>(), workingDirectory: elsewhere);
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            using (var created = await http.PostAsJsonAsync("admin/functions", new { name = "echo", endpoint = stub.Url("echo").ToString() }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            using (var invoked = await http.PostAsJsonAsync("invoke/echo", new { payload = new { hi = 1 } }))
            {
                Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
            }

            // Stopped, so every line it wrote is in: the shutdown lines show that logging ran to the end.
            await silo.StopAsync();
            var output = await File.ReadAllTextAsync(silo.LogFile);
            Assert.Contains("Microsoft.Hosting.Lifetime", output, StringComparison.Ordinal);

            // Silo/appsettings.json keeps ASP.NET Core's per-request lines (four per request at Information) out of the log.
            Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
