using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>Rate limits, connection churn and slow headers against a silo with low limits configured.</summary>
public sealed class AbuseTests(SecuredSilo secured) : IClassFixture<SecuredSilo>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<HttpClient> WithTokenAsync(string clientId, string[]? functions = null)
    {
        using var issued = await secured.Admin.PostAsJsonAsync("admin/tokens", new { client_id = clientId, functions });
        var token = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var http = secured.Client(null);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [Fact]
    public async Task A_caller_over_its_invocation_rate_gets_429_problem_json_with_retry_after()
    {
        var name = Unique("fn");
        using (var created = await secured.Admin.PostAsJsonAsync("admin/functions", new { name, endpoint = secured.Stub.Url("echo").ToString() }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var clientId = Unique("client");
        using var caller = await WithTokenAsync(clientId, [name]);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 4 * SecuredSilo.InvocationsPerSecond; i++)
        {
            var response = await caller.PostAsJsonAsync($"invoke/{name}", new { payload = new { } });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused ??= response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(refused);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        refused.Dispose();

        // Another caller is not held back by this one.
        using var service = await secured.Service.PostAsJsonAsync($"invoke/{name}", new { payload = new { } });
        Assert.Equal(HttpStatusCode.OK, service.StatusCode);
    }

    [Fact]
    public async Task An_event_source_over_the_connect_rate_gets_429_problem_json_with_retry_after()
    {
        // EventSource asks for text/event-stream only; the refusal must still be a 429 that says when to retry. Sent all at
        // once: one after another they could fall either side of the bucket's refill on a slow machine.
        using var caller = secured.Client(null);
        caller.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        var responses = await Task.WhenAll(Enumerable.Range(0, 2 * SecuredSilo.ConnectionsPerSecond + 5)
            .Select(_ => caller.GetAsync($"sse/{Unique("eventsource")}", HttpCompletionOption.ResponseHeadersRead)));
        try
        {
            // No token: the ones the rate limit lets through are refused by access control.
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
            var refused = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.NotNull(refused);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_thousand_rapid_connect_disconnect_cycles_leave_no_connection_behind()
    {
        var clientId = Unique("churn");
        using var caller = await WithTokenAsync(clientId);
        var (served, limited) = (0, 0);
        for (var i = 0; i < 1000; i++)
        {
            using var response = await caller.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                served++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                limited++;
            }
        }

        // Refusals come from the rate limit or from the per-client cap (closed streams free their slot a moment later).
        Assert.True(served >= SecuredSilo.MaxConnectionsPerClient, $"served {served}");
        Assert.True(limited > 0, "no limit ever applied");
        await TestInfrastructure.Eventually.UntilAsync(
            async () =>
            {
                var connections = await secured.Admin.GetFromJsonAsync<JsonElement>("admin/connections");
                return !connections.GetProperty("connections").EnumerateArray().Any(c => c.GetProperty("client_id").GetString() == clientId);
            },
            "every churned connection to be gone");
        using var health = await secured.Admin.GetAsync("admin/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await TestInfrastructure.Eventually.UntilAsync(
            async () =>
            {
                using var again = await caller.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead);
                return again.StatusCode == HttpStatusCode.OK;
            },
            "the client to connect again after the churn");
    }

    [Fact]
    public async Task A_client_that_trickles_its_headers_is_cut_off()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, secured.Silo.BaseAddress.Port);
        var stream = socket.GetStream();
        var started = DateTime.UtcNow;
        var closedOrTimedOut = false;
        var buffer = new byte[512];
        foreach (var piece in "GET /sse/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".Select(c => (byte)c))
        {
            try
            {
                await stream.WriteAsync(new[] { piece });
            }
            catch (IOException)
            {
                closedOrTimedOut = true;
                break;
            }

            if (stream.DataAvailable)
            {
                var read = await stream.ReadAsync(buffer);
                closedOrTimedOut = read == 0 || Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 408", StringComparison.Ordinal);
                break;
            }

            await Task.Delay(500);
            if (DateTime.UtcNow - started > TimeSpan.FromSeconds(60))
            {
                break;
            }
        }

        Assert.True(closedOrTimedOut, "the server waited on a client that never finished its headers");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(45));
    }

    [Fact]
    public async Task A_client_id_holds_at_most_the_configured_number_of_streams()
    {
        var clientId = Unique("tabs");
        using var caller = await WithTokenAsync(clientId);
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < SecuredSilo.MaxConnectionsPerClient; i++)
            {
                open.Add(await caller.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead));
                Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
            }

            using var oneTooMany = await caller.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.TooManyRequests, oneTooMany.StatusCode);
            Assert.Equal("application/problem+json", oneTooMany.Content.Headers.ContentType?.MediaType);

            open[0].Dispose();
            open.RemoveAt(0);
            await TestInfrastructure.Eventually.UntilAsync(
                async () =>
                {
                    var retry = await caller.GetAsync($"sse/{clientId}", HttpCompletionOption.ResponseHeadersRead);
                    if (retry.StatusCode == HttpStatusCode.OK)
                    {
                        open.Add(retry);
                        return true;
                    }

                    retry.Dispose();
                    return false;
                },
                "a slot to free up when a stream closes");
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }
}
