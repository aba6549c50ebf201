using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// The offline checks of a <c>deploy/</c> folder, each by its own tool: Kubernetes objects against their schemas
/// (kustomize renders, <c>tests/DeployLint</c>'s kubernetes-models validates), yamllint, <c>docker-compose config</c>
/// and dockerfilelint. They take the folder to check, so a test can also run them on a broken copy.
/// </summary>
internal static class DeployValidators
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    public static string Deploy { get; } = Path.Combine(RepositoryPaths.Root, "deploy");

    /// <summary><c>tests/DeployLint</c>, installed by the test command with <c>npm ci</c>.</summary>
    public static string LintFolder { get; } = Path.Combine(RepositoryPaths.Root, "tests", "DeployLint");

    /// <summary>The kustomizations users apply: the base and every overlay.</summary>
    public static IEnumerable<string> Kustomizations(string deploy) =>
        new[] { Path.Combine(deploy, "kubernetes", "base") }
            .Concat(Directory.GetDirectories(Path.Combine(deploy, "kubernetes", "overlays")).Order(StringComparer.Ordinal));

    /// <summary><c>kubectl kustomize</c> of <paramref name="kustomization"/>: what <c>kubectl apply -k</c> would send.</summary>
    public static Task<ToolRun> RenderAsync(string kustomization) =>
        DeployTool.RunAsync("kubectl", ["kustomize", kustomization], RepositoryPaths.Root, Deadline);

    /// <summary>Renders <paramref name="kustomization"/> and validates every object in it against its Kubernetes schema.</summary>
    public static async Task<ToolRun> KubernetesSchemasAsync(string kustomization)
    {
        var rendered = await RenderAsync(kustomization);
        if (!rendered.Succeeded)
        {
            return rendered;
        }

        EnsureInstalled();
        return await DeployTool.RunAsync("node", ["validate-kubernetes.mjs"], LintFolder, Deadline, standardInput: rendered.Output);
    }

    /// <summary>yamllint over every YAML file in <paramref name="deploy"/>, with its <c>.yamllint.yaml</c>.</summary>
    public static Task<ToolRun> YamllintAsync(string deploy) =>
        DeployTool.RunAsync("yamllint", ["-f", "parsable", "-c", Path.Combine(deploy, ".yamllint.yaml"), deploy], RepositoryPaths.Root, Deadline);

    /// <summary>
    /// <c>docker-compose config</c> of <paramref name="deploy"/>'s compose file, with <paramref name="envFile"/> as its
    /// <c>.env</c> (none: an empty one) and nothing from this process's environment.
    /// </summary>
    public static async Task<ToolRun> ComposeConfigAsync(string deploy, string? envFile = null)
    {
        var empty = envFile is null ? Path.GetTempFileName() : null;
        try
        {
            return await DeployTool.RunAsync(
                "docker-compose",
                ["--env-file", envFile ?? empty!, "-f", Path.Combine(deploy, "docker-compose.yml"), "config"],
                deploy,
                Deadline,
                environment: new Dictionary<string, string?> { ["SSE_ADMIN_KEY_HASH"] = null, ["COMPOSE_PROJECT_NAME"] = null });
        }
        finally
        {
            if (empty is not null)
            {
                File.Delete(empty);
            }
        }
    }

    /// <summary>dockerfilelint of <paramref name="deploy"/>'s Dockerfile.</summary>
    public static Task<ToolRun> DockerfilelintAsync(string deploy)
    {
        EnsureInstalled();
        var linter = Path.Combine(LintFolder, "node_modules", "dockerfilelint", "bin", "dockerfilelint");
        return DeployTool.RunAsync("node", [linter, Path.Combine(deploy, "Dockerfile")], LintFolder, Deadline);
    }

    /// <summary>A copy of <c>deploy/</c> (without build outputs) in a new temporary folder, to break on purpose.</summary>
    public static string CopyOfDeploy()
    {
        var copy = Path.Combine(Path.GetTempPath(), "deploy-copy-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var file in Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Deploy, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static void EnsureInstalled()
    {
        if (!Directory.Exists(Path.Combine(LintFolder, "node_modules", "kubernetes-models")))
        {
            throw new InvalidOperationException($"The deploy validators are not installed; run: npm ci --prefix {LintFolder} (scripts/test.sh does).");
        }
    }
}
