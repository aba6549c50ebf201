using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Behaves like a browser's EventSource: reads a client's stream and, whenever it ends, reconnects (to the
/// fallback silo) until it is served again, with Last-Event-ID set to the last id any event carried (none before the
/// first id, as EventSource sends none). Records every result and when it was last
/// moved.
/// </summary>
public sealed class ResilientSseClient : IAsyncDisposable
{
    private readonly string _clientId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Uri _target;
    private string? _lastEventId;
    private int _gaps;

    public ResilientSseClient(string clientId, Uri first, Uri fallback)
        : this(clientId, first, () => fallback)
    {
    }

    /// <param name="clientId">The client id to stream.</param>
    /// <param name="first">The silo to connect to first.</param>
    /// <param name="fallback">Picks the silo to reconnect to (as a load balancer would).</param>
    public ResilientSseClient(string clientId, Uri first, Func<Uri> fallback)
    {
        _clientId = clientId;
        _target = first;
        _loop = Task.Run(() => RunAsync(fallback));
    }

    /// <summary>Request ids of every <c>function_response</c> received, duplicates included.</summary>
    public ConcurrentQueue<string> Results { get; } = new();

    /// <summary>When each result first arrived (<see cref="Stopwatch.GetTimestamp"/>), by request id.</summary>
    public ConcurrentDictionary<string, long> FirstReceivedAt { get; } = new();

    /// <summary>The event id of every <c>function_response</c>, in the order received: per-client order is kept when they only rise.</summary>
    public ConcurrentQueue<long> ResultIds { get; } = new();

    /// <summary>How many <c>gap</c> events said that results had left the log before the client could read them.</summary>
    public int Gaps => Volatile.Read(ref _gaps);

    /// <summary>Every <c>function_response</c> as "id:request id@connection number", for diagnosing failures.</summary>
    public ConcurrentQueue<string> Trace { get; } = new();

    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the stream was last served again after it broke (null if it never broke).</summary>
    public DateTimeOffset? ServedAgainAt { get; private set; }

    public int Reconnects { get; private set; }

    private async Task RunAsync(Func<Uri> fallback)
    {
        var broken = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var resumeFrom = _lastEventId;
                await using var sse = await SseClient.ConnectAsync(_target, $"sse/{_clientId}", r =>
                {
                    if (resumeFrom is not null)
                    {
                        r.Headers.Add("Last-Event-ID", resumeFrom);
                    }
                });
                if (!sse.Response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"status {(int)sse.Response.StatusCode}");
                }

                while (!_stop.IsCancellationRequested)
                {
                    var item = await sse.NextAsync(Timeout.InfiniteTimeSpan);
                    if (item.EventId is not null)
                    {
                        _lastEventId = item.EventId;
                    }

                    if (item.EventType == "connected")
                    {
                        Connected.TrySetResult();
                        if (broken)
                        {
                            ServedAgainAt = DateTimeOffset.UtcNow;
                            broken = false;
                        }
                    }
                    else if (item.EventType == "gap")
                    {
                        Interlocked.Increment(ref _gaps);
                    }
                    else if (item.EventType == "function_response")
                    {
                        var requestId = JsonDocument.Parse(item.Data).RootElement.GetProperty("request_id").GetString()!;
                        ResultIds.Enqueue(long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture));
                        FirstReceivedAt.TryAdd(requestId, Stopwatch.GetTimestamp());
                        Results.Enqueue(requestId);
                        Trace.Enqueue($"{item.EventId}:{requestId[..8]}@{Reconnects}");
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TimeoutException or TaskCanceledException)
            {
                // The stream broke or could not open: move to the fallback silo and retry, as EventSource does.
            }

            if (_stop.IsCancellationRequested)
            {
                break;
            }

            broken = true;
            Reconnects++;
            _target = fallback();
            try
            {
                await Task.Delay(200, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Debug.WriteLine("resilient client did not stop in time");
        }

        _stop.Dispose();
    }
}
