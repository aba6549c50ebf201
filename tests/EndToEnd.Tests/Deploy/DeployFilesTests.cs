using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Silo.Hosting;
using SseVirtualization.TestInfrastructure;
using Tomlyn;
using Tomlyn.Model;
using YamlDotNet.RepresentationModel;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// No container engine runs here, so the deployment files are checked as far as possible without one: they
/// parse, have the keys that matter, and name only ports and variables the silo really reads.
/// </summary>
public sealed class DeployFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");

    /// <summary>Variables the silo reads (from <see cref="SiloHostingOptions"/>), plus those of the libraries it uses.</summary>
    private static readonly HashSet<string> KnownVariables = typeof(SiloHostingOptions).GetProperties()
        .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
        .OfType<string>()
        .Concat(["ASPNETCORE_ENVIRONMENT", "POD_NAME", "POD_NAMESPACE", "ORLEANS_CLUSTER_ID", "ORLEANS_SERVICE_ID", "OTEL_EXPORTER_OTLP_ENDPOINT"])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Options by the configuration section they bind, for sectioned variables (<c>Section__Key</c>).</summary>
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.Ordinal)
    {
        [SecurityOptions.SectionName] = typeof(SecurityOptions),
        [GatewayOptions.SectionName] = typeof(GatewayOptions),
    };

    [Fact]
    public void Dockerfile_builds_in_stages_runs_as_non_root_checks_health_and_exposes_the_silo_ports()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));

        Assert.Equal(2, dockerfile.Split('\n').Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        Assert.Contains("USER $APP_UID", dockerfile, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK", dockerfile, StringComparison.Ordinal);
        Assert.Contains("/health/ready", dockerfile, StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080 11111 30000", dockerfile, StringComparison.Ordinal);
        Assert.Contains("\"SseVirtualization.Silo.dll\"", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryPaths.SiloAssembly), "the entry point the Dockerfile names is what the Silo project builds");
        foreach (var copied in new[] { "Grains.Abstractions/", "Grains/", "Gateway/", "Silo/", "Directory.Packages.props" })
        {
            Assert.True(Directory.Exists(Path.Combine(RepositoryPaths.Root, copied)) || File.Exists(Path.Combine(RepositoryPaths.Root, copied)), copied);
        }
    }

    [Fact]
    public void Dockerignore_keeps_build_outputs_history_and_local_data_out_but_nothing_the_dockerfile_copies()
    {
        var ignored = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        foreach (var pattern in new[] { "**/bin/", "**/obj/", ".git/", ".run/", ".artifacts/", "**/node_modules/", "tests/" })
        {
            Assert.Contains(pattern, ignored);
        }

        // What the Dockerfile copies from the context: the first word after COPY of each line that does not copy from a stage.
        var copied = File.ReadAllLines(Path.Combine(Deploy, "Dockerfile"))
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToList();
        Assert.Contains("Silo/", copied);
        foreach (var source in copied)
        {
            var topLevel = source.Split('/')[0];
            Assert.DoesNotContain(ignored, p => p.TrimEnd('/') == topLevel || (p.StartsWith("*.", StringComparison.Ordinal) && topLevel.EndsWith(p[1..], StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Compose_runs_redis_with_aof_three_silos_and_nginx_with_the_sse_proxy_settings()
    {
        var root = LoadYaml("docker-compose.yml");
        var services = (YamlMappingNode)root["services"];

        var redis = (YamlMappingNode)services["redis"];
        Assert.Contains("--appendonly", ((YamlSequenceNode)redis["command"]).Select(n => n.ToString()));
        var nginx = (YamlMappingNode)services["nginx"];
        var nginxAddress = ((YamlMappingNode)((YamlMappingNode)nginx["networks"])["default"])["ipv4_address"].ToString();
        var silos = services.Children.Keys.Select(k => k.ToString()).Where(k => k.StartsWith("silo", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, silos.Count);
        foreach (var name in silos)
        {
            var environment = (YamlMappingNode)((YamlMappingNode)services[name])["environment"];
            var variables = environment.Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString());
            Assert.All(variables.Keys, v => Assert.True(IsKnown(v), $"{v} is not a setting the silo reads"));
            Assert.Equal("redis:6379", variables["REDIS_ADDR"]);
            Assert.Equal(name, variables["ADVERTISED_IP"]);

            // nginx's X-Forwarded-For names the caller for rate limits and stream caps only if its address is trusted.
            Assert.Equal(nginxAddress, variables["Security__ForwardedHeaders__TrustedProxies__0"]);

            // Behind nginx nothing is local: an admin key whose hash compose must be given (":?" refuses to start without).
            Assert.Equal("admin", variables["Security__ApiKeys__0__Role"]);
            Assert.StartsWith("${SSE_ADMIN_KEY_HASH:?", variables["Security__ApiKeys__0__Hash"], StringComparison.Ordinal);
        }

        Assert.False(root.Children.ContainsKey("name"), "docker-compose v1 refuses a top-level name; deploy/.env sets COMPOSE_PROJECT_NAME");
        var example = File.ReadAllText(Path.Combine(Deploy, ".env.example"));
        Assert.Contains("SSE_ADMIN_KEY_HASH=sha256:", example, StringComparison.Ordinal);
        Assert.Contains("openssl rand -hex 32", example, StringComparison.Ordinal);
        Assert.Contains(".env", File.ReadAllLines(Path.Combine(Deploy, ".gitignore")));

        var volumes = ((YamlSequenceNode)nginx["volumes"]).Select(v => v.ToString()).ToList();
        Assert.Contains(volumes, v => v.StartsWith("./nginx/sse-proxy.conf:", StringComparison.Ordinal));
        var nginxConf = File.ReadAllText(Path.Combine(Deploy, "nginx", "nginx.conf"));
        foreach (var name in silos)
        {
            Assert.Contains($"server {name}:8080", nginxConf, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Kubernetes_manifests_have_probes_a_prestop_a_disruption_budget_and_known_variables()
    {
        var documents = KubernetesBase();
        var kinds = documents.Select(d => d["kind"].ToString()).ToList();
        Assert.Contains("Deployment", kinds);
        Assert.Contains("Service", kinds);
        Assert.Contains("PodDisruptionBudget", kinds);
        Assert.Contains("StatefulSet", kinds);

        var (_, container) = SiloPod(documents);
        Assert.Equal("/health/ready", ValueAt(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", ValueAt(container, "livenessProbe", "httpGet", "path"));
        Assert.True(((YamlMappingNode)container["lifecycle"]).Children.ContainsKey("preStop"));
        var variables = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Select(e => e["name"].ToString()).ToList();
        Assert.All(variables, v => Assert.True(IsKnown(v), $"{v} is not a setting the silo reads"));
        Assert.Contains("KUBERNETES_HOSTING", variables);
        var ports = ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>().Select(p => p["containerPort"].ToString()).ToList();
        Assert.Equal(["8080", "11111", "30000"], ports);
    }

    [Fact]
    public void Kubernetes_pods_run_non_root_on_a_read_only_root_filesystem_without_privileges()
    {
        var documents = KubernetesBase();
        var workloads = documents.Where(d => d["kind"].ToString() is "Deployment" or "StatefulSet").ToList();
        Assert.Equal(2, workloads.Count);
        foreach (var workload in workloads)
        {
            var what = workload["kind"] + " " + ValueAt(workload, "metadata", "name");
            var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)workload["spec"])["template"])["spec"];
            Assert.Equal("true", ValueAt(pod, "securityContext", "runAsNonRoot"));
            Assert.NotEqual("0", ValueAt(pod, "securityContext", "runAsUser"));
            Assert.Equal("RuntimeDefault", ValueAt(pod, "securityContext", "seccompProfile", "type"));
            foreach (var container in ((YamlSequenceNode)pod["containers"]).Cast<YamlMappingNode>())
            {
                Assert.True("false" == ValueAt(container, "securityContext", "allowPrivilegeEscalation"), what);
                Assert.True("true" == ValueAt(container, "securityContext", "readOnlyRootFilesystem"), what);
                var dropped = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)container["securityContext"])["capabilities"])["drop"];
                Assert.Equal(["ALL"], dropped.Select(c => c.ToString()));
                Assert.True(((YamlMappingNode)container["resources"]).Children.ContainsKey("requests"), what);
                Assert.NotNull(ValueAt(container, "resources", "limits", "memory"));
            }
        }

        // .NET writes its diagnostics socket and temporary files to /tmp: writable, though the root is not.
        var (siloPod, silo) = SiloPod(documents);
        var tmp = ((YamlSequenceNode)silo["volumeMounts"]).Cast<YamlMappingNode>().Single(m => m["mountPath"].ToString() == "/tmp");
        var volume = ((YamlSequenceNode)siloPod["volumes"]).Cast<YamlMappingNode>().Single(v => v["name"].ToString() == tmp["name"].ToString());
        Assert.True(volume.Children.ContainsKey("emptyDir"));
    }

    [Fact]
    public void Kubernetes_silos_have_a_startup_probe_spread_over_nodes_and_the_admin_key_from_a_secret()
    {
        var (pod, container) = SiloPod(KubernetesBase());
        Assert.Equal("/health/live", ValueAt(container, "startupProbe", "httpGet", "path"));

        var spread = ((YamlSequenceNode)pod["topologySpreadConstraints"]).Cast<YamlMappingNode>().ToList();
        Assert.Contains(spread, c => c["topologyKey"].ToString() == "kubernetes.io/hostname");
        Assert.All(spread, c => Assert.Equal("sse-silo", ValueAt(c, "labelSelector", "matchLabels", "app")));

        // The hash comes from the Secret the docs tell users to create; the key itself is never in a manifest.
        var variables = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().ToDictionary(e => e["name"].ToString());
        Assert.Equal("admin", variables["Security__ApiKeys__0__Role"]["value"].ToString());
        Assert.Equal("sse-admin-key", ValueAt(variables["Security__ApiKeys__0__Hash"], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("hash", ValueAt(variables["Security__ApiKeys__0__Hash"], "valueFrom", "secretKeyRef", "key"));
        var docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "deploy.md"));
        Assert.Contains("kubectl create secret generic sse-admin-key --from-literal=hash=", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void Fly_config_checks_readiness_keeps_machines_running_and_names_known_variables()
    {
        var fly = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(Path.Combine(Deploy, "fly.toml")))!;

        var service = (TomlTable)fly["http_service"];
        Assert.Equal(8080L, service["internal_port"]);
        Assert.Equal("off", service["auto_stop_machines"]);
        var check = (TomlTable)((TomlTableArray)service["checks"])[0];
        Assert.Equal("/health/ready", check["path"]);
        var environment = (TomlTable)fly["env"];
        Assert.All(environment.Keys, v => Assert.True(IsKnown(v), $"{v} is not a setting the silo reads"));
        Assert.Equal("SIGTERM", fly["kill_signal"]);

        // Fly's proxy forwards every request: an admin key, whose hash is a Fly secret, not a value in this file.
        Assert.Equal("admin", environment["Security__ApiKeys__0__Role"]);
        Assert.False(environment.ContainsKey("Security__ApiKeys__0__Hash"));
        Assert.Contains("fly secrets set Security__ApiKeys__0__Hash=", File.ReadAllText(Path.Combine(Deploy, "fly.toml")), StringComparison.Ordinal);
    }

    /// <summary>
    /// A flat variable the silo reads, or a sectioned one whose path names a property of its section's options down to a
    /// single value (list items by index): a misspelt <c>Security__...</c> would bind nothing, silently.
    /// </summary>
    private static bool IsKnown(string variable)
    {
        if (KnownVariables.Contains(variable))
        {
            return true;
        }

        var path = variable.Split("__");
        if (path.Length < 2 || !Sections.TryGetValue(path[0], out var type))
        {
            return false;
        }

        foreach (var key in path[1..])
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return false;
                }

                type = type.GetGenericArguments()[0];
                continue;
            }

            var property = type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance);
            if (property is null)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return type == typeof(string) || type.IsValueType;
    }

    [Fact]
    public void Orchestrators_wait_longer_than_a_stopping_silo_can_take_before_they_kill_it()
    {
        // A stopping silo ends by itself within SHUTDOWN_TIMEOUT + the watchdog's grace: killed earlier, its streams are
        // cut before they were told to move and its in-flight calls end with no answer.
        var bound = new SiloHostingOptions().ShutdownTimeout + ShutdownWatchdog.ExitGrace;

        var compose = (YamlMappingNode)LoadYaml("docker-compose.yml")["x-silo"];
        Assert.True(ParseDuration(compose["stop_grace_period"].ToString()) > bound, "compose stop_grace_period");

        var fly = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(Path.Combine(Deploy, "fly.toml")))!;
        Assert.True(ParseDuration((string)fly["kill_timeout"]) > bound, "fly.toml kill_timeout");

        var (pod, _) = SiloPod(KubernetesBase());
        Assert.True(TimeSpan.FromSeconds(int.Parse(pod["terminationGracePeriodSeconds"].ToString(), CultureInfo.InvariantCulture)) > bound, "terminationGracePeriodSeconds");
    }

    private static TimeSpan ParseDuration(string seconds) =>
        TimeSpan.FromSeconds(int.Parse(seconds.TrimEnd('s'), CultureInfo.InvariantCulture));

    private static YamlMappingNode LoadYaml(string relativePath) => LoadYamlDocuments(relativePath).Single();

    /// <summary>The objects of the kustomize base, as its files hold them.</summary>
    private static List<YamlMappingNode> KubernetesBase() =>
        LoadYamlDocuments(Path.Combine("kubernetes", "base", "silo.yaml"))
            .Concat(LoadYamlDocuments(Path.Combine("kubernetes", "base", "redis.yaml")))
            .ToList();

    private static (YamlMappingNode Pod, YamlMappingNode Container) SiloPod(IEnumerable<YamlMappingNode> documents)
    {
        var deployment = documents.Single(d => d["kind"].ToString() == "Deployment");
        var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"];
        return (pod, (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Single());
    }

    /// <summary>The scalar at <paramref name="keys"/> below <paramref name="node"/>, or null where any key is missing.</summary>
    private static string? ValueAt(YamlMappingNode node, params string[] keys)
    {
        YamlNode current = node;
        foreach (var key in keys)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return (current as YamlScalarNode)?.Value;
    }

    private static IEnumerable<YamlMappingNode> LoadYamlDocuments(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Deploy, relativePath));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }
}
