using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.TestInfrastructure;

/// <summary>
/// Functions that fail the way real ones do: <c>/hang</c> never answers (until the caller gives up), and
/// <c>/slowing/{name}</c> answers twice as slowly on each call (1 ms, 2 ms, 4 ms, … up to a minute).
/// </summary>
public sealed partial class StubFunctionServer
{
    private static readonly TimeSpan SlowestAnswer = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, int> _slowingCalls = new();

    private void MapFaults(WebApplication app)
    {
        app.MapPost("/hang", async (HttpContext context) =>
        {
            await RecordAsync(context);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return Results.Ok();
        });
        app.MapPost("/slowing/{name}", async (string name, HttpContext context) =>
        {
            await RecordAsync(context);
            var call = _slowingCalls.AddOrUpdate(name, 0, (_, n) => n + 1);
            var delay = TimeSpan.FromMilliseconds(Math.Min(Math.Pow(2, call), SlowestAnswer.TotalMilliseconds));
            await Task.Delay(delay, context.RequestAborted);
            return Results.Json(new { call, delay_ms = delay.TotalMilliseconds });
        });
    }
}
