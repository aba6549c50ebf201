namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// The deployment files pass each offline validator, and each validator refuses a copy broken on purpose, so a pass
/// means something: Kubernetes objects against their schemas, yamllint, <c>docker-compose config</c>, dockerfilelint.
/// </summary>
public sealed class DeployValidatorTests
{
    [Fact]
    public async Task Every_kustomization_renders_and_every_object_in_it_matches_its_kubernetes_schema()
    {
        var kustomizations = DeployValidators.Kustomizations(DeployValidators.Deploy).ToList();
        Assert.Contains(kustomizations, k => k.EndsWith(Path.Combine("overlays", "production"), StringComparison.Ordinal));
        foreach (var kustomization in kustomizations)
        {
            var run = await DeployValidators.KubernetesSchemasAsync(kustomization);
            Assert.True(run.Succeeded, run.ToString());
            Assert.Contains("apps/v1/Deployment sse-silo", run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_production_overlay_names_a_pushed_image_and_the_base_only_a_placeholder()
    {
        var production = await DeployValidators.RenderAsync(Path.Combine(DeployValidators.Deploy, "kubernetes", "overlays", "production"));
        Assert.True(production.Succeeded, production.ToString());

        // The image kustomize substituted: a registry path with a tag, not the bare name nothing can pull.
        Assert.Matches(@"^image: [a-z0-9.-]+/sse-virtualization:[\w.-]+$", SiloImage(production));

        var placeholder = await DeployValidators.RenderAsync(Path.Combine(DeployValidators.Deploy, "kubernetes", "base"));
        Assert.True(placeholder.Succeeded, placeholder.ToString());
        Assert.Equal("image: sse-virtualization", SiloImage(placeholder));
    }

    private static string SiloImage(ToolRun rendered) =>
        rendered.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("image:", StringComparison.Ordinal) && l.Contains("sse-virtualization", StringComparison.Ordinal));

    [Fact]
    public async Task Yamllint_accepts_every_yaml_file_in_deploy()
    {
        var run = await DeployValidators.YamllintAsync(DeployValidators.Deploy);
        Assert.True(run.Succeeded, run.ToString());
    }

    [Fact]
    public async Task Compose_accepts_the_file_with_an_admin_key_hash_and_refuses_to_start_without_one()
    {
        var envFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(envFile, "SSE_ADMIN_KEY_HASH=sha256:" + new string('a', 64) + "\n");
            var configured = await DeployValidators.ComposeConfigAsync(DeployValidators.Deploy, envFile);
            Assert.True(configured.Succeeded, configured.ToString());
            Assert.Contains("sha256:" + new string('a', 64), configured.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(envFile);
        }

        // Without deploy/.env compose stops before anything starts, and says where to look.
        var unconfigured = await DeployValidators.ComposeConfigAsync(DeployValidators.Deploy);
        Assert.False(unconfigured.Succeeded, unconfigured.ToString());
        Assert.Contains("deploy/.env.example", unconfigured.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dockerfilelint_accepts_the_dockerfile()
    {
        var run = await DeployValidators.DockerfilelintAsync(DeployValidators.Deploy);
        Assert.True(run.Succeeded, run.ToString());
    }

    /// <summary>Each validator, run on a copy of deploy/ with one mistake of the kind it exists to catch.</summary>
    [Theory]
    [InlineData("kubernetes", "runAsNonRoot must be boolean")]
    [InlineData("yamllint", "key-duplicates")]
    [InlineData("compose", "stop_grace_period contains an invalid type")]
    [InlineData("dockerfilelint", "Invalid Port Exposed")]
    public async Task Each_validator_refuses_a_copy_with_a_mistake_it_exists_to_catch(string validator, string reason)
    {
        var copy = DeployValidators.CopyOfDeploy();
        try
        {
            var run = validator switch
            {
                // A string where the schema wants a boolean.
                "kubernetes" => await Break(Path.Combine(copy, "kubernetes", "base", "silo.yaml"), "runAsNonRoot: true", "runAsNonRoot: \"yes\"",
                    () => DeployValidators.KubernetesSchemasAsync(Path.Combine(copy, "kubernetes", "overlays", "production"))),

                // A key given twice: YAML parsers keep one of them silently.
                "yamllint" => await Break(Path.Combine(copy, "kubernetes", "base", "redis.yaml"), "  replicas: 1\n", "  replicas: 1\n  replicas: 2\n",
                    () => DeployValidators.YamllintAsync(copy)),

                // A service setting of the wrong type.
                "compose" => await Break(Path.Combine(copy, "docker-compose.yml"), "stop_grace_period: 45s", "stop_grace_period: [45s]",
                    async () =>
                    {
                        var envFile = Path.Combine(copy, ".env");
                        await File.WriteAllTextAsync(envFile, "SSE_ADMIN_KEY_HASH=sha256:" + new string('a', 64) + "\n");
                        return await DeployValidators.ComposeConfigAsync(copy, envFile);
                    }),

                // A port no container can expose.
                "dockerfilelint" => await Break(Path.Combine(copy, "Dockerfile"), "EXPOSE 8080 11111 30000", "EXPOSE 8080 111111 30000",
                    () => DeployValidators.DockerfilelintAsync(copy)),
                _ => throw new ArgumentOutOfRangeException(nameof(validator)),
            };

            Assert.False(run.Succeeded, run.ToString());
            Assert.Contains(reason, run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static async Task<ToolRun> Break(string file, string original, string broken, Func<Task<ToolRun>> validate)
    {
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains(original, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, text.Replace(original, broken, StringComparison.Ordinal));
        return await validate();
    }
}
