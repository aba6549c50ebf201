using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// A real PostgreSQL (Debian's package) in a fresh data directory on a free loopback port, trust authentication
/// for user <c>postgres</c>, not durable (fsync off), removed on dispose. PostgreSQL refuses to run as root, so
/// as root its commands run as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;

    private PostgresServer(string bin, string data, int port)
    {
        _bin = bin;
        _data = data;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does).");
        }

        var data = Path.Combine(Path.GetTempPath(), "pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(data);
        var server = new PostgresServer(bin, data, FreePort.Next());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", "postgres:postgres", data);
            }

            await RunAsync("chmod", "700", data);
            await server.RunAsPostgresAsync("initdb", $"-D {data} -A trust -U postgres -E UTF8 --no-sync");
            await server.RunAsPostgresAsync("pg_ctl", $"-D {data} -w -t 60 -l {data}/server.log -o \"-p {server.Port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off\" start");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunAsPostgresAsync(string tool, string arguments)
    {
        var command = $"{Path.Combine(_bin, tool)} {arguments}";
        return IsRoot ? RunAsync("su", "postgres", "-s", "/bin/sh", "-c", command) : RunAsync("/bin/sh", "-c", command);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            {
                await RunAsPostgresAsync("pg_ctl", $"-D {_data} -m immediate -w stop");
            }
        }
        finally
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
