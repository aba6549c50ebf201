using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

// Bare Kestrel holding SSE streams the way the silo's clients see them: `connected` at once, then a `heartbeat` every
// --heartbeat seconds from one shared tick (no timer per stream). GET /connections answers how many are open.
var builder = WebApplication.CreateSlimBuilder(args);
var interval = TimeSpan.FromSeconds(double.Parse(builder.Configuration["heartbeat"] ?? "5", System.Globalization.CultureInfo.InvariantCulture));
var app = builder.Build();
var heartbeat = new SharedTick(interval);
var open = 0L;

app.MapGet("/sse/{clientId}", (string clientId, CancellationToken aborted) => TypedResults.ServerSentEvents(StreamAsync(clientId, aborted)));
app.MapGet("/connections", () => Interlocked.Read(ref open));
app.Run();

async IAsyncEnumerable<SseItem<string>> StreamAsync(string clientId, [EnumeratorCancellation] CancellationToken aborted)
{
    Interlocked.Increment(ref open);
    try
    {
        yield return new SseItem<string>($$"""{"client_id":"{{clientId}}"}""", "connected");
        while (!aborted.IsCancellationRequested)
        {
            try
            {
                await heartbeat.NextAsync().WaitAsync(aborted);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return new SseItem<string>("{}", "heartbeat");
        }
    }
    finally
    {
        Interlocked.Decrement(ref open);
    }
}

/// <summary>One task every stream awaits, completed and replaced each interval.</summary>
internal sealed class SharedTick
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SharedTick(TimeSpan interval) => _ = RunAsync(interval);

    public Task NextAsync() => Volatile.Read(ref _next).Task;

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync())
        {
            Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
        }
    }
}
