using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// <c>deploy/local-cluster.sh</c> run for real: it starts a silo that reads its own settings and takes its function
/// egress from the environment, and when something cannot start it says why, stops what it started and exits.
/// </summary>
public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task One_silo_starts_with_its_own_settings_and_the_environments_egress_and_stops_leaving_nothing_running()
    {
        var cluster = new LocalCluster();
        cluster.Environment["Functions__AllowPrivateNetworks"] = "true"; // overrides the script's default (false)
        try
        {
            var started = await cluster.StartAsync("1");
            Assert.True(started.Succeeded, started.ToString());
            Assert.Contains("loopback true, private networks true", started.Output, StringComparison.Ordinal);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
            var health = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("admin/health");
            Assert.Equal("redis", health.GetProperty("storage").GetString());

            // Loopback egress is on by default on a local cluster: a function on this machine can be registered.
            using var registered = await http.PostAsJsonAsync("admin/functions", new { name = "on-this-machine", endpoint = "http://127.0.0.1:9/" });
            Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());

            // The README's quick start works on a local cluster too: the silos serve the sample functions.
            Assert.Contains("sample functions at /samples/: true", started.Output, StringComparison.Ordinal);
            using var sample = await http.PostAsJsonAsync("admin/functions", new { name = "text-processor", endpoint = $"http://127.0.0.1:{cluster.HttpPort}/samples/text-processor" });
            Assert.True(sample.IsSuccessStatusCode, await sample.Content.ReadAsStringAsync());
            using var answered = await http.PostAsJsonAsync("invoke/text-processor", new { payload = new { text = "Hello" } });
            var answer = await answered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.True(answer.GetProperty("success").GetBoolean(), answer.ToString());
            Assert.Equal("HELLO", answer.GetProperty("data").GetProperty("text").GetString());

            // Silo/appsettings.json was read: requests are not logged one by one, and Orleans does not dump its options.
            for (var i = 0; i < 5; i++)
            {
                using var _ = await http.GetAsync("admin/functions");
            }

            var log = await File.ReadAllLinesAsync(Path.Combine(cluster.RunDirectory, "silo-0.log"));
            Assert.DoesNotContain(log, l => l.Contains("\"Category\":\"Microsoft.AspNetCore.", StringComparison.Ordinal) && l.Contains("\"LogLevel\":\"Information\"", StringComparison.Ordinal));
            Assert.DoesNotContain(log, l => l.Contains("OptionsLogger", StringComparison.Ordinal));

            var stopped = await cluster.StopAsync();
            Assert.True(stopped.Succeeded, stopped.ToString());
            Assert.Empty(cluster.RemainingProcesses());
        }
        finally
        {
            await cluster.CleanUpAsync();
        }
    }

    [Fact]
    public async Task A_silo_whose_port_is_taken_fails_the_script_with_the_silos_message_and_leaves_nothing_running()
    {
        var cluster = new LocalCluster();

        // Something listens on the silo's HTTP port and never answers.
        using var squatter = new TcpListener(IPAddress.Loopback, cluster.HttpPort);
        squatter.Start();
        try
        {
            var run = await cluster.StartAsync("1");
            Assert.False(run.Succeeded, run.ToString());
            Assert.Contains($"Port {cluster.HttpPort} on 127.0.0.1 is already in use", run.Output, StringComparison.Ordinal);
            Assert.Contains("Stopping what this run started", run.Output, StringComparison.Ordinal);
            Assert.Empty(cluster.RemainingProcesses());
            Assert.False(File.Exists(Path.Combine(cluster.RunDirectory, "redis.pid")), "a next run would find the cluster 'already running'");
        }
        finally
        {
            await cluster.CleanUpAsync();
        }
    }

    [Fact]
    public async Task A_silo_that_never_answers_times_out_with_its_log_and_leaves_nothing_running()
    {
        var cluster = new LocalCluster();

        // The silo listens on another loopback address than the one the script waits on: up, but never reachable.
        cluster.Environment["BIND_ADDRESS"] = "127.0.0.2";
        cluster.Environment["SILO_START_TIMEOUT"] = "5";
        try
        {
            var run = await cluster.StartAsync("1");
            Assert.False(run.Succeeded, run.ToString());
            Assert.Contains("did not answer within 5 s (SILO_START_TIMEOUT)", run.Output, StringComparison.Ordinal);
            Assert.Contains("--- last lines of", run.Output, StringComparison.Ordinal);
            Assert.Empty(cluster.RemainingProcesses());
        }
        finally
        {
            await cluster.CleanUpAsync();
        }
    }

    [Fact]
    public async Task A_build_that_fails_shows_the_compilers_errors_and_starts_nothing()
    {
        // A checkout whose Silo does not compile: the scripts, and a project with a syntax error where Silo is.
        var checkout = Path.Combine(Path.GetTempPath(), "broken-checkout-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(checkout, "deploy"));
        Directory.CreateDirectory(Path.Combine(checkout, "Silo"));
        foreach (var script in new[] { "local-cluster.sh", "stop-local-cluster.sh" })
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, "deploy", script), Path.Combine(checkout, "deploy", script));
        }

        await File.WriteAllTextAsync(Path.Combine(checkout, "Silo", "Silo.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><OutputType>Exe</OutputType></PropertyGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(checkout, "Silo", "Program.cs"), "this is not C#\n");
        var cluster = new LocalCluster(checkout);
        cluster.Environment["SILO_DLL"] = null; // so it builds
        try
        {
            var run = await cluster.StartAsync("1");
            Assert.False(run.Succeeded, run.ToString());
            Assert.Contains("Building the silo failed; nothing was started", run.Output, StringComparison.Ordinal);
            Assert.Contains("error CS", run.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(cluster.RunDirectory, "redis.pid")));
            Assert.Empty(cluster.RemainingProcesses());
        }
        finally
        {
            await cluster.CleanUpAsync();
            Directory.Delete(checkout, recursive: true);
        }
    }
}
