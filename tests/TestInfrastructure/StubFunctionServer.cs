using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// A real serverless-style function on loopback (Kestrel): it echoes what it was sent, answers chosen statuses,
/// answers slowly, and can hold calls until several are in flight at once.
/// </summary>
public sealed partial class StubFunctionServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, int> _gateArrivals = new();

    private StubFunctionServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request the stub received, by X-Request-ID (the last one when a request was retried).</summary>
    public ConcurrentDictionary<string, ReceivedCall> Calls { get; } = new();

    /// <summary>Every request the stub received, in order of arrival.</summary>
    public ConcurrentQueue<ReceivedCall> History { get; } = new();

    public Uri Url(string path) => new(BaseAddress, path);

    /// <param name="port">The loopback port to listen on; 0 for any free one.</param>
    public static async Task<StubFunctionServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var stub = new StubFunctionServer(app);
        stub.Map(app);
        stub.MapScripted(app);
        stub.MapStreams(app);
        stub.MapFaults(app);
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Urls.First() + "/");
        return stub;
    }

    private void Map(WebApplication app)
    {
        app.MapMethods("/echo", ["GET", "POST", "PUT", "PATCH", "DELETE"], async (HttpContext context) =>
        {
            var call = await RecordAsync(context);
            return Results.Json(new JsonObject
            {
                ["payload"] = call.Body is null ? null : JsonNode.Parse(call.Body),
                ["method"] = call.Method,
                ["request_id"] = call.RequestId,
                ["client_id"] = call.ClientId,
            });
        });
        app.MapPost("/status/{code:int}", async (int code, HttpContext context) =>
        {
            await RecordAsync(context);
            return Results.Json(new { error = "stub failure", code }, statusCode: code);
        });
        app.MapPost("/big/{bytes:int}", async (int bytes, HttpContext context) =>
        {
            await RecordAsync(context);
            return Results.Text(new string('x', bytes), "text/plain");
        });
        app.MapPost("/text", async (HttpContext context) =>
        {
            await RecordAsync(context);
            return Results.Text("plain words\nover two lines", "text/plain");
        });
        app.MapPost("/slow/{milliseconds:int}", async (int milliseconds, HttpContext context) =>
        {
            await RecordAsync(context);
            await Task.Delay(milliseconds, context.RequestAborted);
            return Results.Json(new { slept = milliseconds });
        });
        app.MapPost("/gate/{name}/{count:int}", async (string name, int count, HttpContext context) =>
        {
            await RecordAsync(context);
            var gate = _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (_gateArrivals.AddOrUpdate(name, 1, (_, n) => n + 1) >= count)
            {
                gate.TrySetResult();
            }

            await gate.Task.WaitAsync(context.RequestAborted);
            return Results.Json(new { released = name });
        });
    }

    private async Task<ReceivedCall> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var call = new ReceivedCall(
            context.Request.Method,
            context.Request.Path,
            body.Length == 0 ? null : body,
            context.Request.Headers["X-Request-ID"].ToString(),
            context.Request.Headers["X-Client-ID"].FirstOrDefault(),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            DateTimeOffset.UtcNow,
            context.Request.QueryString.Value ?? string.Empty);
        Calls[call.RequestId] = call;
        History.Enqueue(call);
        return call;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>One request the stub received; <paramref name="Query"/> is its query string with the leading <c>?</c>, or empty.</summary>
public sealed record ReceivedCall(
    string Method, string Path, string? Body, string RequestId, string? ClientId, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At,
    string Query = "")
{
    public JsonElement BodyJson => JsonDocument.Parse(Body ?? "null").RootElement;
}
