using System.Net.ServerSentEvents;
using System.Threading.Channels;

namespace SseVirtualization.TestInfrastructure;

/// <summary>An SSE client that parses the stream with the BCL's <see cref="SseParser"/> and lets tests wait for events.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseItem<string>> _events = Channel.CreateUnbounded<SseItem<string>>();
    private readonly Task _reader;

    private SseClient(HttpClient http, HttpResponseMessage response)
    {
        _http = http;
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Every event received so far, in order.</summary>
    public List<SseItem<string>> Received { get; } = [];

    public static async Task<SseClient> ConnectAsync(Uri baseAddress, string pathAndQuery, Action<HttpRequestMessage>? configure = null)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Accept.ParseAdd("text/event-stream");
        configure?.Invoke(request);
        using var connectDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connectDeadline.Token);
        return new SseClient(http, response);
    }

    /// <summary>The next event (of any type) not yet taken.</summary>
    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            return await _events.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No SSE event arrived. Received so far: " + string.Join(" | ", Received.Select(e => $"{e.EventType}#{e.EventId}")));
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The SSE stream ended. Received: " + string.Join(" | ", Received.Select(e => $"{e.EventType}#{e.EventId}")));
        }
    }

    /// <summary>Skips events until one of <paramref name="eventType"/> arrives (heartbeats may come in between).</summary>
    public async Task<SseItem<string>> NextOfTypeAsync(string eventType, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No '{eventType}' event arrived.");
            }

            var item = await NextAsync(remaining);
            if (item.EventType == eventType)
            {
                return item;
            }
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(_stop.Token))
            {
                lock (Received)
                {
                    Received.Add(item);
                }

                await _events.Writer.WriteAsync(item);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // The stream ended: the test closed it or the server went away.
        }
        catch (ObjectDisposedException) when (_stop.IsCancellationRequested)
        {
            // Disposed before the body was opened (a refused connect closed at once): nothing was left to read.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader;
        _http.Dispose();
        _stop.Dispose();
    }
}
