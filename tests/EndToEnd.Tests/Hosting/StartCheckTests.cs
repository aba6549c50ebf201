using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>A silo that cannot start says why in one line, with what to do, and exits.</summary>
public sealed class StartCheckTests
{
    [Fact]
    public async Task A_taken_port_is_one_line_that_names_the_port_and_the_setting_to_change()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, output) = await RunSiloAsync(new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SILO_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output);
        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", line, StringComparison.Ordinal);
        Assert.Contains("PORT=", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_silo_port_is_one_line_too_not_an_orleans_stack_trace()
    {
        // What a second silo started by hand with only PORT changed meets.
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, output) = await RunSiloAsync(new Dictionary<string, string>
        {
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SILO_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output);
        Assert.Contains($"SILO_PORT {port} on 127.0.0.1 is already in use", line, StringComparison.Ordinal);
        Assert.Contains("SILO_PORT=", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_are_one_line_too()
    {
        var (exitCode, output) = await RunSiloAsync(new Dictionary<string, string> { ["PORT"] = "70000" });

        Assert.Equal(2, exitCode);
        Assert.Contains("PORT", Assert.Single(output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Clients__DeliveryAuditDelay", "-00:00:05", "Clients:DeliveryAuditDelay")]
    [InlineData("Security__ApiKeys__0__Name", "no-hash", "Security:ApiKeys")]
    [InlineData("Mcp__KeepAliveInterval", "00:00:00", "Mcp:KeepAliveInterval")]
    [InlineData("Mcp__MaxSessionsPerOwner", "0", "Mcp:MaxSessionsPerOwner")]
    public async Task Invalid_gateway_or_security_settings_are_one_line_naming_the_setting_not_a_crash(string variable, string value, string named)
    {
        var (exitCode, output) = await RunSiloAsync(new Dictionary<string, string>
        {
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SILO_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            [variable] = value,
        });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shutdown_timeout_written_as_a_bare_number_is_refused_with_the_form_to_use()
    {
        // "30" binds as thirty days: refused rather than taken as a drain deadline nobody meant.
        var (exitCode, output) = await RunSiloAsync(new Dictionary<string, string> { ["SHUTDOWN_TIMEOUT"] = "30" });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output);
        Assert.Contains("SHUTDOWN_TIMEOUT", line, StringComparison.Ordinal);
        Assert.Contains("hh:mm:ss", line, StringComparison.Ordinal);
    }

    /// <summary>Runs the silo to its end (a deadline guards against one that starts after all) and gives its non-empty lines.</summary>
    private static async Task<(int ExitCode, List<string> Output)> RunSiloAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{RepositoryPaths.SiloAssembly}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The silo did not exit: it started although it should not have.");
        }

        var lines = (await stdout + "\n" + await stderr).Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        return (process.ExitCode, lines);
    }
}
