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
        }

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
        var documents = LoadYamlDocuments(Path.Combine("kubernetes", "silo.yaml")).Concat(LoadYamlDocuments(Path.Combine("kubernetes", "redis.yaml"))).ToList();
        var kinds = documents.Select(d => d["kind"].ToString()).ToList();
        Assert.Contains("Deployment", kinds);
        Assert.Contains("Service", kinds);
        Assert.Contains("PodDisruptionBudget", kinds);
        Assert.Contains("StatefulSet", kinds);

        var deployment = documents.Single(d => d["kind"].ToString() == "Deployment");
        var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Single();
        Assert.Equal("/health/ready", ((YamlMappingNode)((YamlMappingNode)container["readinessProbe"])["httpGet"])["path"].ToString());
        Assert.Equal("/health/live", ((YamlMappingNode)((YamlMappingNode)container["livenessProbe"])["httpGet"])["path"].ToString());
        Assert.True(((YamlMappingNode)container["lifecycle"]).Children.ContainsKey("preStop"));
        var variables = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Select(e => e["name"].ToString()).ToList();
        Assert.All(variables, v => Assert.True(IsKnown(v), $"{v} is not a setting the silo reads"));
        Assert.Contains("KUBERNETES_HOSTING", variables);
        var ports = ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>().Select(p => p["containerPort"].ToString()).ToList();
        Assert.Equal(["8080", "11111", "30000"], ports);
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
        Assert.All(((TomlTable)fly["env"]).Keys, v => Assert.True(IsKnown(v), $"{v} is not a setting the silo reads"));
        Assert.Equal("SIGTERM", fly["kill_signal"]);
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

    private static YamlMappingNode LoadYaml(string relativePath) => LoadYamlDocuments(relativePath).Single();

    private static IEnumerable<YamlMappingNode> LoadYamlDocuments(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Deploy, relativePath));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }
}
