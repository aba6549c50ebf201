using System.Globalization;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Deploy;

/// <summary>
/// One run of <c>deploy/local-cluster.sh</c> (or a copy of it) on free ports, a run folder and a cluster id of its
/// own, against the silo this test run built (<c>SILO_DLL</c>: the script builds nothing while tests use that build).
/// </summary>
internal sealed class LocalCluster
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);

    public LocalCluster(string? repositoryRoot = null)
    {
        Root = repositoryRoot ?? RepositoryPaths.Root;
        RunDirectory = Path.Combine(Path.GetTempPath(), "local-cluster-" + Guid.NewGuid().ToString("N")[..12]);
        ClusterId = "script-" + Guid.NewGuid().ToString("N")[..12];
        Environment = new Dictionary<string, string?>
        {
            ["RUN_DIR"] = RunDirectory,
            ["REDIS_PORT"] = Invariant(RedisPort),
            ["BASE_HTTP_PORT"] = Invariant(HttpPort),
            ["BASE_SILO_PORT"] = Invariant(FreePort.Next()),
            ["BASE_GATEWAY_PORT"] = Invariant(FreePort.Next()),
            ["CLUSTER_ID"] = ClusterId,
            ["SILO_DLL"] = RepositoryPaths.SiloAssembly,

            // Not inherited from whoever runs the tests: the script's own defaults apply unless a test sets them.
            ["Functions__AllowLoopback"] = null,
            ["Functions__AllowPrivateNetworks"] = null,
            ["BIND_ADDRESS"] = null,
        };
    }

    /// <summary>The checkout whose deploy/ scripts run.</summary>
    public string Root { get; }

    public string RunDirectory { get; }

    public string ClusterId { get; }

    public int RedisPort { get; } = FreePort.Next();

    /// <summary>The first silo's HTTP port.</summary>
    public int HttpPort { get; } = FreePort.Next();

    /// <summary>What the scripts get in their environment (null removes a variable).</summary>
    public Dictionary<string, string?> Environment { get; }

    public Task<ToolRun> StartAsync(params string[] arguments) =>
        DeployTool.RunAsync(Path.Combine(Root, "deploy", "local-cluster.sh"), arguments, Root, Deadline, environment: Environment);

    public Task<ToolRun> StopAsync() =>
        DeployTool.RunAsync(Path.Combine(Root, "deploy", "stop-local-cluster.sh"), [], Root, Deadline, environment: Environment);

    /// <summary>
    /// Processes this run started that still run: those with its cluster id in their environment (the silos) or its
    /// run folder on their command line (redis-server).
    /// </summary>
    public IReadOnlyList<string> RemainingProcesses()
    {
        var remaining = new List<string>();
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ');
                var environment = File.ReadAllText(Path.Combine(process, "environ"));
                if (commandLine.Contains(RunDirectory, StringComparison.Ordinal) || environment.Contains("CLUSTER_ID=" + ClusterId + "\0", StringComparison.Ordinal))
                {
                    remaining.Add($"{Path.GetFileName(process)}: {commandLine}");
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours.
            }
        }

        return remaining;
    }

    /// <summary>Stops whatever is left (after a failed assertion) and removes the run folder.</summary>
    public async Task CleanUpAsync()
    {
        if (Directory.Exists(RunDirectory))
        {
            await StopAsync();
            Directory.Delete(RunDirectory, recursive: true);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
