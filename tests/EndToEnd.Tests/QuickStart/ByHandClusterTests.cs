using System.Diagnostics;
using System.Globalization;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.QuickStart;

/// <summary>
/// The README's cluster "by hand", run as written on a fresh clone: Redis, one build, two silos from the built binary,
/// a client on one silo and an invocation through the other. The silos' own logs are checked too: a silo joining a
/// cluster is routine and logs no error.
/// </summary>
[Collection(FreshCloneGroup.Name)]
public sealed class ByHandClusterTests(FreshCheckout checkout)
{
    [Fact]
    public async Task Two_silos_started_as_the_readme_says_form_one_cluster_and_log_no_errors()
    {
        int redis = FreePort.Next(), first = FreePort.Next(), second = FreePort.Next();
        var ports = new Dictionary<int, int>
        {
            [6379] = redis,
            [8080] = first,
            [8081] = second,
            [11111] = FreePort.Next(),
            [11112] = FreePort.Next(),
            [30000] = FreePort.Next(),
            [30001] = FreePort.Next(),
        };
        var blocks = ReadmeBlocks.BashBlocksFrom(checkout.Readme, "By hand:").Select(b => ReadmeBlocks.WithPorts(b, ports)).ToList();
        var startBlock = Assert.Single(blocks, b => b.Contains("redis-server", StringComparison.Ordinal));
        var streamBlock = Assert.Single(blocks, b => b.Contains("/sse/", StringComparison.Ordinal));
        var callBlock = Assert.Single(blocks, b => b.Contains("/invoke/", StringComparison.Ordinal));
        Assert.Contains($":{second}/invoke/", callBlock, StringComparison.Ordinal);
        Assert.Contains($":{first}/sse/", streamBlock, StringComparison.Ordinal);

        var silo = Path.Combine(checkout.Root, "Silo", "bin", "Release", "net10.0", "SseVirtualization.Silo.dll");
        try
        {
            await using var cluster = ShellScript.Start(startBlock, checkout.Root);
            foreach (var port in new[] { first, second })
            {
                // The script ends once it has started the silos; it gave up when it ended before building them.
                await QuickStartTests.WaitUntilReadyAsync(port, cluster, () => cluster.HasExited && (cluster.ExitCode != 0 || !File.Exists(silo)));
            }

            await using var stream = ShellScript.Start(streamBlock, checkout.Root);
            await Eventually.UntilAsync(() => Task.FromResult(stream.Output.Contains("event: connected", StringComparison.Ordinal)), "the client's stream to open");
            var output = await ShellScript.RunAsync(callBlock, checkout.Root, TimeSpan.FromMinutes(2));
            Assert.Contains("\"status\":\"accepted\"", output, StringComparison.Ordinal);
            var text = Assert.Single(ReadmeBlocks.SentTexts(callBlock));
            await Eventually.UntilAsync(
                () => Task.FromResult(stream.Output.Contains("\"" + text.ToUpperInvariant() + "\"", StringComparison.Ordinal)),
                "the result invoked through the second silo on the stream held by the first");
            Assert.Contains("\"success\":true", stream.Output, StringComparison.Ordinal);

            // Both silos' logs so far (they write JSON lines to the script's output): joining the cluster is no error.
            var errors = cluster.Output.Split('\n')
                .Where(l => l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal))
                .ToList();
            Assert.True(errors.Count == 0, "The silos logged errors:\n" + string.Join("\n", errors));
            Assert.DoesNotContain("Participant check thread has not completed", cluster.Output, StringComparison.Ordinal);
        }
        finally
        {
            // The README's Redis daemonizes, so it is not in the script's process group.
            using var shutdown = Process.Start("redis-cli", ["-p", redis.ToString(CultureInfo.InvariantCulture), "shutdown", "nosave"]);
            await shutdown.WaitForExitAsync();
        }
    }
}
