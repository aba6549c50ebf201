using System.Collections.Concurrent;
using System.Diagnostics;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// The search function (<c>deploy/functions/search</c>), built, in its own process on a free loopback port, indexing
/// the given corpus into the given PostgreSQL at start-up. Ready once <c>/health</c> answers 200.
/// </summary>
public sealed class SearchFunctionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SearchFunctionProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string RecentOutput => string.Join(Environment.NewLine, _output);

    public static string Assembly { get; } =
        Path.Combine(RepositoryPaths.Root, "deploy", "functions", "search", "bin", RepositoryPaths.Configuration, "net10.0", "SseVirtualization.Search.dll");

    /// <param name="connectionString">The PostgreSQL database of the index.</param>
    /// <param name="corpusRoot">The folder of the corpus.</param>
    /// <param name="corpus">The corpus files, relative to <paramref name="corpusRoot"/>.</param>
    public static async Task<SearchFunctionProcess> StartAsync(string connectionString, string corpusRoot, IReadOnlyList<string> corpus)
    {
        if (!File.Exists(Assembly))
        {
            throw new InvalidOperationException($"The search function is not built: {Assembly}");
        }

        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", $"\"{Assembly}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Assembly)!,
        };
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Search__ConnectionString"] = connectionString;
        start.Environment["Search__CorpusRoot"] = corpusRoot;
        for (var i = 0; i < corpus.Count; i++)
        {
            start.Environment[$"Search__Corpus__{i}"] = corpus[i];
        }

        var function = new SearchFunctionProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), port);
        try
        {
            using var http = new HttpClient { BaseAddress = function.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.UntilAsync(
                async () =>
                {
                    if (function._process.HasExited)
                    {
                        throw new InvalidOperationException("The search function exited:\n" + function.RecentOutput);
                    }

                    try
                    {
                        using var health = await http.GetAsync("health");
                        return health.IsSuccessStatusCode;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                },
                "the search function's health",
                TimeSpan.FromSeconds(120));
            return function;
        }
        catch
        {
            await function.DisposeAsync();
            throw;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
