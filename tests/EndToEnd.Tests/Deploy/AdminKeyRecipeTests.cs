using System.Net;
using System.Security.Cryptography;
using System.Text;
using SseVirtualization.TestInfrastructure;
using YamlDotNet.RepresentationModel;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// The admin-key steps of docs/deploy.md, run as written: each gives the silos the hash of the key it printed, and a
/// silo with those settings lets a forwarded admin request through with that key and refuses it without.
/// </summary>
public sealed class AdminKeyRecipeTests
{
    [Fact]
    public async Task The_compose_steps_give_every_silo_the_hash_of_the_printed_key_and_a_silo_so_configured_accepts_it_behind_a_proxy()
    {
        var root = Path.Combine(Path.GetTempPath(), "compose-recipe-" + Guid.NewGuid().ToString("N")[..12]);
        var copy = DeployValidators.CopyOfDeploy();
        Directory.CreateDirectory(root);
        Directory.Move(copy, Path.Combine(root, "deploy"));
        try
        {
            // Everything up to "docker compose ... up", which needs a container engine.
            var steps = DocumentedSteps.BlockContaining("SSE_ADMIN_KEY_HASH").Where(l => !l.StartsWith("docker compose", StringComparison.Ordinal));
            var run = await DocumentedSteps.RunAsync(steps, root);
            Assert.True(run.Succeeded, run.ToString());
            var key = DocumentedSteps.PrintedKey(run);

            var config = await DeployValidators.ComposeConfigAsync(Path.Combine(root, "deploy"), Path.Combine(root, "deploy", ".env"));
            Assert.True(config.Succeeded, config.ToString());
            var stream = new YamlStream();
            stream.Load(new StringReader(config.Output));
            var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];
            var silos = services.Children.Where(s => s.Key.ToString().StartsWith("silo", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, silos.Count);
            var settings = new Dictionary<string, string?>();
            foreach (var (_, service) in silos)
            {
                var environment = (YamlMappingNode)((YamlMappingNode)service)["environment"];
                Assert.Equal(HashOf(key), environment["Security__ApiKeys__0__Hash"].ToString());
                foreach (var (name, value) in environment.Children.Where(e => e.Key.ToString().StartsWith("Security__ApiKeys__", StringComparison.Ordinal)))
                {
                    settings[name.ToString()] = value.ToString();
                }
            }

            // A silo with the key settings compose gives (on loopback, without compose's Redis), reached as through a proxy.
            await using var silo = await SiloProcess.StartAsync(settings);
            using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.Unauthorized, await AdminHealthAsync(http, key: null)); // keys configured: a key is asked for
            Assert.Equal(HttpStatusCode.Unauthorized, await AdminHealthAsync(http, "not-" + key));
            Assert.Equal(HttpStatusCode.OK, await AdminHealthAsync(http, key));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_kubernetes_steps_create_the_secret_the_deployment_reads_with_the_hash_of_the_printed_key()
    {
        // No cluster here: kubectl only prints the Secret it would create.
        var steps = DocumentedSteps.BlockContaining("kubectl create secret generic")
            .Select(l => l.StartsWith("kubectl create secret", StringComparison.Ordinal) ? l + " --dry-run=client -o yaml" : l);
        var run = await DocumentedSteps.RunAsync(steps, Path.GetTempPath());
        Assert.True(run.Succeeded, run.ToString());
        var key = DocumentedSteps.PrintedKey(run);

        var secretYaml = run.Output[run.Output.IndexOf("apiVersion:", StringComparison.Ordinal)..];
        var stream = new YamlStream();
        stream.Load(new StringReader(secretYaml));
        var secret = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("Secret", secret["kind"].ToString());
        Assert.Equal("sse-admin-key", ((YamlMappingNode)secret["metadata"])["name"].ToString());
        var hash = Encoding.UTF8.GetString(Convert.FromBase64String(((YamlMappingNode)secret["data"])["hash"].ToString()));
        Assert.Equal(HashOf(key), hash);

        // The Deployment reads that Secret and key (as kustomize renders it for production).
        var rendered = await DeployValidators.RenderAsync(Path.Combine(DeployValidators.Deploy, "kubernetes", "overlays", "production"));
        Assert.True(rendered.Succeeded, rendered.ToString());
        Assert.Matches(@"name: Security__ApiKeys__0__Hash\s+valueFrom:\s+secretKeyRef:\s+key: hash\s+name: sse-admin-key", rendered.Output);
    }

    [Fact]
    public async Task The_fly_steps_set_the_hash_of_the_printed_key_as_a_secret()
    {
        // fly is not installed here: a stand-in prints each argument it is given, as the shell passes them.
        var steps = DocumentedSteps.BlockContaining("fly secrets set Security__ApiKeys__0__Hash");
        var run = await DocumentedSteps.RunAsync(steps, Path.GetTempPath(), prelude: "fly() { printf 'fly-argument: %s\\n' \"$@\"; }");
        Assert.True(run.Succeeded, run.ToString());
        var key = DocumentedSteps.PrintedKey(run);
        Assert.Contains("fly-argument: Security__ApiKeys__0__Hash=" + HashOf(key), run.Output.Split('\n'));
    }

    private static string HashOf(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>GET /admin/health as a proxy would forward it (a forwarded request is never the local caller).</summary>
    private static async Task<HttpStatusCode> AdminHealthAsync(HttpClient http, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/health");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
