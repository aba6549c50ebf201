using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>The chaos scenario's cluster, clients and invoker, and the faults it injects and heals.</summary>
internal sealed class ChaosWorld(LoadCluster cluster, int clientCount) : IAsyncDisposable
{
    private static readonly TimeSpan DeliveryDeadline = TimeSpan.FromMinutes(2);
    private readonly string[] _clientIds = [.. Enumerable.Range(0, clientCount).Select(i => $"chaos-{cluster.ClusterId}-{i}")];
    private readonly ResilientSseClient[] _clients = new ResilientSseClient[clientCount];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentDictionary<string, (int Client, long SentAt)> _accepted = new();
    private readonly ConcurrentDictionary<string, byte> _unanswered = new();
    private readonly ConcurrentDictionary<string, int> _unansweredWhy = new();
    private volatile string _function = "echo";
    private int _next;

    public async Task ConnectAllAsync()
    {
        for (var i = 0; i < _clients.Length; i++)
        {
            _clients[i] = new ResilientSseClient(_clientIds[i], cluster.Silos[i % cluster.Silos.Count].BaseAddress, AnyLiveSilo);
        }

        await Task.WhenAll(_clients.Select(c => c.Connected.Task.WaitAsync(TimeSpan.FromMinutes(2))));
    }

    public async Task<ChaosPhase> RunPhaseAsync(string fault, int rate, TimeSpan phase, TimeSpan grayPause)
    {
        var acceptedBefore = _accepted.Keys.ToHashSet();
        _unansweredWhy.Clear();
        var unansweredBefore = _unanswered.Count;
        var gapsBefore = _clients.Sum(c => c.Gaps);
        using var stopLoad = new CancellationTokenSource();
        using var memory = new PeakMemory(() => cluster.Silos);
        var load = SendAsync(rate, stopLoad.Token);

        var third = phase / 3;
        await Task.Delay(third);
        var heal = await InjectAsync(fault, third, grayPause);
        await heal();
        await Task.Delay(third);
        await stopLoad.CancelAsync();
        await load;

        var mine = _accepted.Where(a => !acceptedBefore.Contains(a.Key)).ToList();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < DeliveryDeadline && mine.Any(a => !_clients[a.Value.Client].FirstReceivedAt.ContainsKey(a.Key)))
        {
            await Task.Delay(200);
        }

        var latency = new LatencyRecorder();
        var delivered = 0;
        foreach (var (requestId, (client, sentAt)) in mine)
        {
            if (_clients[client].FirstReceivedAt.TryGetValue(requestId, out var at))
            {
                delivered++;
                latency.Record((at - sentAt) * 1000.0 / Stopwatch.Frequency);
            }
        }

        var mineIds = mine.Select(a => a.Key).ToHashSet();
        var duplicated = _clients.Sum(c => c.Results.Where(mineIds.Contains).GroupBy(r => r).Count(g => g.Count() > 1));
        return new ChaosPhase(
            fault, mine.Count, delivered, mine.Count - delivered, duplicated, _clients.Sum(c => c.Gaps) - gapsBefore, 0,
            _unanswered.Count - unansweredBefore, latency.Summarize(), memory.PeakMegabytes)
        {
            UnansweredWhy = string.Join(" ", _unansweredWhy.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key}:{w.Value}")),
        };
    }

    /// <summary>Clients whose result ids did not only rise (a result out of order, or written twice).</summary>
    public int OrderErrors() => _clients.Count(c => c.ResultIds.Zip(c.ResultIds.Skip(1)).Any(pair => pair.Second <= pair.First));

    /// <summary>Injects the fault now; returns what heals it, which runs <paramref name="third"/> later (longer for a gray silo).</summary>
    private async Task<Func<Task>> InjectAsync(string fault, TimeSpan third, TimeSpan grayPause)
    {
        switch (fault)
        {
            case "kill":
            case "storm":
            {
                // storm: the silo holding the most streams, so its clients all reconnect at once.
                var victim = fault == "storm" ? await BusiestSiloAsync() : cluster.Silos[0];
                await victim.KillAsync();
                return async () =>
                {
                    await Task.Delay(third);
                    await cluster.ReplaceAsync(victim);
                };
            }

            case "gray":
            {
                var victim = cluster.Silos[^1];
                await Faults.FreezeAsync(victim.Pid);
                return async () =>
                {
                    // Longer than failure detection: the cluster declares it dead, and on waking it finds out and stops.
                    await Task.Delay(grayPause);
                    await Faults.ThawAsync(victim.Pid);
                    var stopped = Stopwatch.StartNew();
                    while (!victim.HasExited && stopped.Elapsed < TimeSpan.FromMinutes(1))
                    {
                        await Task.Delay(200);
                    }

                    Console.WriteLine(victim.HasExited
                        ? $"gray silo stopped by itself {stopped.Elapsed.TotalSeconds:0.0} s after it woke"
                        : "gray silo still running a minute after it woke; killed");
                    await victim.KillAsync();
                    await cluster.ReplaceAsync(victim);
                };
            }

            case "redis-restart":
                await cluster.Redis.StopAsync();
                return async () =>
                {
                    await Task.Delay(third);
                    await cluster.Redis.RestartAsync();
                };
            case "redis-pause":
                await Faults.PauseRedisAsync(cluster.Redis, third);
                return () => Task.Delay(third);
            case "redis-full":
                await Faults.FillRedisAsync(cluster.Redis);
                return async () =>
                {
                    await Task.Delay(third);
                    await Faults.UnfillRedisAsync(cluster.Redis);
                };
            case "hang":
            case "slowing":
                _function = fault;
                return async () =>
                {
                    await Task.Delay(third);
                    _function = "echo";
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    private async Task SendAsync(int rate, CancellationToken stop)
    {
        var inflight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var sent = 0L;
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await ticker.WaitForNextTickAsync(stop))
            {
                for (; sent < clock.Elapsed.TotalSeconds * rate; sent++)
                {
                    inflight.Add(InvokeAsync());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The phase is over; what is in flight is still answered.
        }

        await Task.WhenAll(inflight);
    }

    private async Task InvokeAsync()
    {
        var n = Interlocked.Increment(ref _next);
        var client = n % _clientIds.Length;
        var requestId = Guid.NewGuid().ToString();
        var silos = cluster.Silos.Where(s => !s.HasExited).ToList();
        var target = silos[n % silos.Count].BaseAddress;
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, $"invoke/{_function}"))
            {
                Content = JsonContent.Create(new { payload = new { n }, client_id = _clientIds[client], @async = true }),
            };
            request.Headers.Add("X-Request-ID", requestId);
            using var response = await _http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                _accepted[requestId] = (client, sentAt);
                return;
            }

            _unansweredWhy.AddOrUpdate(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Refused or timed out: the caller cannot know whether it was accepted.
            _unansweredWhy.AddOrUpdate(ex is TaskCanceledException ? "timeout" : "refused", 1, (_, c) => c + 1);
        }

        _unanswered[requestId] = 0;
    }

    private Uri AnyLiveSilo()
    {
        var live = cluster.Silos.Where(s => !s.HasExited).ToList();
        return live[Random.Shared.Next(live.Count)].BaseAddress;
    }

    private async Task<SiloProcess> BusiestSiloAsync()
    {
        var counts = new Dictionary<SiloProcess, int>();
        foreach (var silo in cluster.Silos)
        {
            using var connections = JsonDocument.Parse(await _http.GetStringAsync(new Uri(silo.BaseAddress, "admin/connections")));
            var siloPort = ":" + silo.SiloPort.ToString(CultureInfo.InvariantCulture) + "@";
            counts[silo] = connections.RootElement.GetProperty("connections").EnumerateArray()
                .Count(c => c.GetProperty("silo").GetString()!.Contains(siloPort, StringComparison.Ordinal));
        }

        return counts.MaxBy(c => c.Value).Key;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Where(c => c is not null))
        {
            await client.DisposeAsync();
        }

        _http.Dispose();
    }
}
