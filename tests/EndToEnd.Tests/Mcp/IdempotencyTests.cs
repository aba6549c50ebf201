using System.Net.Http.Json;
using System.Text.Json;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Mcp;

/// <summary>
/// Safe retries: a <c>tools/call</c> re-sent with the same idempotency key (as a 2026 client does after a dropped
/// stream) runs the function once; the repeats get its answer, under their own ids.
/// </summary>
[Collection(McpCollectionDefinition.Name)]
public sealed class IdempotencyTests(McpFixture mcp)
{
    [Theory]
    [InlineData("meta")]
    [InlineData("header")]
    public async Task A_call_sent_three_times_with_one_key_runs_the_function_once(string carrier)
    {
        var tool = await mcp.RegisterToolAsync("slow/1500", "once");
        var key = "key-" + Guid.NewGuid().ToString("N");
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        // Two at once, on different silos (the second joins the first while it runs), then one after it has answered.
        using var b = new HttpClient { BaseAddress = mcp.SiloB.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var concurrent = await Task.WhenAll(CallAsync(tool, marker, key, carrier, id: 1), CallAsync(tool, marker, key, carrier, id: 2, via: b));
        var later = await CallAsync(tool, marker, key, carrier, id: 3);

        Assert.Equal(1, mcp.Stub.History.Count(call => call.Body?.Contains(marker, StringComparison.Ordinal) == true));
        var answers = concurrent.Append(later).ToList();
        Assert.Equal([1, 2, 3], answers.Select(a => a.GetProperty("id").GetInt32()));
        Assert.All(answers, a => Assert.Equal(Text(answers[0]), Text(a)));
        Assert.Contains("1500", Text(answers[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_reused_for_other_arguments_is_refused()
    {
        var tool = await mcp.RegisterToolAsync("echo", "once");
        var key = "key-" + Guid.NewGuid().ToString("N");
        await CallAsync(tool, "first", key, "meta", id: 1);

        var other = await CallAsync(tool, "second", key, "meta", id: 2);

        Assert.Equal(-32602, other.GetProperty("error").GetProperty("code").GetInt32());
    }

    private static string Text(JsonElement answer) => answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;

    /// <summary>A stand-alone (2026-07-28) <c>tools/call</c> answered as JSON, with the key in <c>_meta</c> or in the header.</summary>
    private async Task<JsonElement> CallAsync(string tool, string marker, string key, string carrier, int id, HttpClient? via = null)
    {
        var parameters = new Dictionary<string, object> { ["name"] = tool, ["arguments"] = new { message = marker } };
        if (carrier == "meta")
        {
            parameters["_meta"] = new Dictionary<string, object> { ["idempotencyKey"] = key };
        }

        using var request = ModernMcpRequest.Create("tools/call", parameters, id: id);
        if (carrier == "header")
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await (via ?? mcp.A).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
