using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SseVirtualization.Load;

/// <summary>
/// One worker process of <c>connections</c>: opens its share of idle SSE streams from one loopback source address
/// (each source address has ~28,000 ephemeral ports per destination, each process ~20,000 files), counts the
/// heartbeats each receives while it holds them, and reports on stdout for the parent.
/// </summary>
internal static class ConnectionsWorker
{
    public static async Task<int> RunAsync(Options options)
    {
        var ports = options.Text("ports", "").Split(',').Select(int.Parse).ToArray();
        var from = options.Int("from", 0);
        var count = options.Int("count", 100);
        var source = IPAddress.Parse(options.Text("source", "127.0.0.2"));
        var hold = options.Seconds("hold", 10);
        var prefix = options.Text("prefix", "load");
        var connections = new Connection[count];
        var connected = 0;
        var failed = 0;
        using var gate = new SemaphoreSlim(128);
        using var stop = new CancellationTokenSource();
        using var progress = new Timer(_ => Console.WriteLine($"CONNECTED {Volatile.Read(ref connected)} {Volatile.Read(ref failed)}"), null, 1000, 1000);
        var opening = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var client = from + i;
                connections[i] = await Connection.OpenAsync(source, ports[client % ports.Length], $"{prefix}-{client}", stop.Token);
                Interlocked.Increment(ref connected);
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(opening);
        Console.WriteLine($"ALL_CONNECTED {connected} {failed}");

        // Hold starts when the parent says every worker is connected, so that all streams are open at once.
        await Console.In.ReadLineAsync();

        // Heartbeats counted from here on: every held stream must get at least one.
        foreach (var connection in connections)
        {
            connection?.ResetHeartbeats();
        }

        await Task.Delay(hold);
        var withHeartbeat = connections.Count(c => c is { Heartbeats: > 0, Closed: false });
        var closed = connections.Count(c => c is { Closed: true });
        Console.WriteLine($"RESULT {connected} {failed} {withHeartbeat} {closed}");
        await stop.CancelAsync();
        foreach (var connection in connections)
        {
            connection?.Dispose();
        }

        return 0;
    }

    /// <summary>One idle SSE stream over a raw socket: as little client as can hold a stream and count its heartbeats.</summary>
    internal sealed class Connection : IDisposable
    {
        private static readonly byte[] Heartbeat = "event: heartbeat"u8.ToArray();
        private readonly Socket _socket;
        private int _heartbeats;

        private Connection(Socket socket) => _socket = socket;

        public int Heartbeats => Volatile.Read(ref _heartbeats);

        public bool Closed { get; private set; }

        public void ResetHeartbeats() => Interlocked.Exchange(ref _heartbeats, 0);

        public static async Task<Connection> OpenAsync(IPAddress source, int port, string clientId, CancellationToken stop)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stop);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /sse/{clientId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"), stop);
                var buffer = new byte[1024];
                var read = await socket.ReceiveAsync(buffer, stop);
                if (read < 12 || !buffer.AsSpan(0, 12).SequenceEqual("HTTP/1.1 200"u8))
                {
                    throw new InvalidOperationException("the stream was refused: " + Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 64)));
                }

                var connection = new Connection(socket);
                _ = connection.ReadAsync(buffer, stop);
                return connection;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private async Task ReadAsync(byte[] buffer, CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    var read = await _socket.ReceiveAsync(buffer, stop);
                    if (read == 0)
                    {
                        Closed = true;
                        return;
                    }

                    // A heartbeat frame is small and written whole; it arrives within one read.
                    var span = buffer.AsSpan(0, read);
                    for (var at = span.IndexOf(Heartbeat); at >= 0; at = span.IndexOf(Heartbeat))
                    {
                        Interlocked.Increment(ref _heartbeats);
                        span = span[(at + Heartbeat.Length)..];
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                Closed = !stop.IsCancellationRequested;
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
