using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Scripted endpoints <c>/ep/{name}</c>: each call takes the next step of the endpoint's script (a status, a 429
/// with Retry-After, a hold until released) and echoes <c>{"endpoint": name}</c> once the script is used up.
/// <c>/ep/{name}/health</c> answers 200 or 503 as the test sets it.
/// </summary>
public sealed partial class StubFunctionServer
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<StubStep>> _scripts = new();
    private readonly ConcurrentDictionary<string, bool> _unhealthy = new();

    /// <summary>The steps the next calls to <c>/ep/{name}</c> take, in order.</summary>
    public void Script(string name, params StubStep[] steps)
    {
        var queue = _scripts.GetOrAdd(name, _ => new ConcurrentQueue<StubStep>());
        foreach (var step in steps)
        {
            queue.Enqueue(step);
        }
    }

    /// <summary>Drops the steps of <c>/ep/{name}</c> not taken yet.</summary>
    public void ClearScript(string name) => _scripts.TryRemove(name, out _);

    /// <summary>Makes <c>/ep/{name}</c> and its health check fail (503) or pass.</summary>
    public void SetHealthy(string name, bool healthy) => _unhealthy[name] = !healthy;

    /// <summary>Calls that reached <c>/ep/{name}</c> (health checks not counted).</summary>
    public int CallsTo(string name) => History.Count(c => c.Path == "/ep/" + name);

    private void MapScripted(WebApplication app)
    {
        app.MapGet("/ep/{name}/health", (string name) =>
            _unhealthy.GetValueOrDefault(name) ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Ok(new { status = "ok" }));
        app.MapMethods("/ep/{name}", ["GET", "POST"], async (string name, HttpContext context) =>
        {
            await RecordAsync(context);
            if (_unhealthy.GetValueOrDefault(name))
            {
                return Results.Json(new { error = "down" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (_scripts.TryGetValue(name, out var script) && script.TryDequeue(out var step))
            {
                if (step.Hold is { } hold)
                {
                    await hold.Task.WaitAsync(context.RequestAborted);
                }
                else if (step.Status != 200)
                {
                    if (step.RetryAfterSeconds is { } seconds)
                    {
                        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    return Results.Json(new { error = "scripted", endpoint = name }, statusCode: step.Status);
                }
            }

            return Results.Json(new JsonObject { ["endpoint"] = name, ["request_id"] = context.Request.Headers["X-Request-ID"].ToString() });
        });
    }
}

/// <summary>One scripted answer of a stub endpoint.</summary>
public sealed record StubStep(int Status, int? RetryAfterSeconds = null, TaskCompletionSource? Hold = null)
{
    public static StubStep Fail(int status) => new(status);

    public static StubStep TooMany(int retryAfterSeconds) => new(429, retryAfterSeconds);

    /// <summary>Holds the call until <paramref name="release"/> completes, then echoes.</summary>
    public static StubStep HoldUntil(TaskCompletionSource release) => new(200, null, release);
}
