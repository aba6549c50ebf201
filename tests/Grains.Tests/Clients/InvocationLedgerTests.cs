using System.Text.Json;
using SseVirtualization.Clients;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Clients;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Grains.Tests.Clients;

[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class InvocationLedgerTests(GrainClusterFixture fixture)
{
    private string SomeSilo => fixture.Cluster.Primary!.SiloAddress.ToParsableString();

    [Fact]
    public async Task Only_the_first_result_for_an_accepted_request_reaches_the_log()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N");
        var ledger = fixture.Grains.GetGrain<IInvocationLedger>(clientId);
        var request = new InvocationRequest("{}", clientId, Async: true, RequestId: "req-" + Guid.NewGuid().ToString("N"));
        var pending = new PendingInvocation("no-such-function-" + Guid.NewGuid().ToString("N"), request, DateTimeOffset.UtcNow.AddHours(1), 1);
        Assert.Equal(LedgerAcceptance.Accepted, await ledger.AcceptAsync(pending));
        Assert.Equal(LedgerAcceptance.Duplicate, await ledger.AcceptAsync(pending)); // a repeated request id is not accepted twice

        Assert.True(await ledger.PublishResultAsync(request.RequestId!, "{\"first\":true}", settlesPending: true));
        Assert.False(await ledger.PublishResultAsync(request.RequestId!, "{\"first\":false}", settlesPending: true));

        var batch = await fixture.Grains.GetGrain<IClientGrain>(clientId).ConnectAsync(SomeSilo, lastEventId: 0);
        var only = Assert.Single(batch.Events);
        Assert.Equal("{\"first\":true}", only.DataJson);
        Assert.Equal(request.RequestId, only.RequestId);
        Assert.Equal(0, await ledger.GetPendingCountAsync());

        // Answered already: a retry of the same request id is still not run again.
        Assert.Equal(LedgerAcceptance.Duplicate, await ledger.AcceptAsync(pending));
    }

    [Fact]
    public async Task An_accepted_invocation_nobody_is_running_is_restarted_with_the_same_request_id()
    {
        // As if the silo running it had died: accepted in the ledger, running nowhere.
        var name = await RegisterEchoFunctionAsync();
        var clientId = "client-" + Guid.NewGuid().ToString("N");
        var requestId = "orphan-" + Guid.NewGuid().ToString("N");
        var ledger = fixture.Grains.GetGrain<IInvocationLedger>(clientId);

        await ledger.AcceptAsync(new PendingInvocation(name, new InvocationRequest("{\"orphan\":1}", clientId, Async: true, RequestId: requestId), DateTimeOffset.UtcNow, 1));

        await Eventually.UntilAsync(async () => await ledger.GetPendingCountAsync() == 0, "the orphaned invocation to be re-driven and settled");
        Assert.Equal(requestId, fixture.Stub.Calls[requestId].RequestId);
        var batch = await fixture.Grains.GetGrain<IClientGrain>(clientId).ConnectAsync(SomeSilo, lastEventId: 0);
        var result = JsonDocument.Parse(Assert.Single(batch.Events).DataJson).RootElement;
        Assert.Equal(requestId, result.GetProperty("request_id").GetString());
        Assert.True(result.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Re_driving_resumes_for_an_invocation_accepted_after_the_last_one_was_settled()
    {
        var name = await RegisterEchoFunctionAsync();
        var clientId = "client-" + Guid.NewGuid().ToString("N");
        var ledger = fixture.Grains.GetGrain<IInvocationLedger>(clientId);

        foreach (var round in new[] { "first", "second" })
        {
            // Orphaned (accepted, running nowhere): only re-driving gets it answered.
            var requestId = round + "-" + Guid.NewGuid().ToString("N");
            await ledger.AcceptAsync(new PendingInvocation(name, new InvocationRequest("{}", clientId, Async: true, RequestId: requestId), DateTimeOffset.UtcNow, 1));
            await Eventually.UntilAsync(async () => await ledger.GetPendingCountAsync() == 0, $"the {round} orphaned invocation to be re-driven and settled");
            Assert.True(fixture.Stub.Calls.ContainsKey(requestId));

            // Time for several re-drive ticks (200 ms here) to find nothing pending and pause the timer, so the second
            // round starts from a paused timer. Were it still running, the test would pass without testing resumption.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<string> RegisterEchoFunctionAsync()
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        await fixture.Grains.GetGrain<IFunctionGrain>(name).RegisterAsync(new FunctionDefinition(
            name, [fixture.Stub.Url("echo")], "POST", TimeSpan.FromSeconds(20), string.Empty, new Dictionary<string, string>(), FunctionRouting.Default));
        return name;
    }

    [Fact]
    public async Task A_client_with_too_many_unanswered_invocations_is_refused_more()
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N");
        var ledger = fixture.Grains.GetGrain<IInvocationLedger>(clientId);
        var later = DateTimeOffset.UtcNow.AddHours(1); // not due for re-drive during the test
        PendingInvocation Pending(int i) => new("no-such-function", new InvocationRequest("{}", clientId, Async: true, RequestId: $"r{i}"), later, 1);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(LedgerAcceptance.Accepted, await ledger.AcceptAsync(Pending(i)));
        }

        Assert.Equal(LedgerAcceptance.Full, await ledger.AcceptAsync(Pending(100)));
        Assert.True(await ledger.PublishResultAsync("r0", "{}", settlesPending: true));
        Assert.Equal(LedgerAcceptance.Accepted, await ledger.AcceptAsync(Pending(100)));
    }

    [Fact]
    public async Task Resuming_from_an_id_older_than_the_log_reports_the_gap()
    {
        var client = fixture.Grains.GetGrain<IClientGrain>("client-" + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < GrainClusterFixture.EventLogCapacity + 4; i++)
        {
            await client.PublishAsync(ClientEventTypes.FunctionResponse, "{}");
        }

        var batch = await client.GetEventsAfterAsync(1);

        Assert.Equal(new EventGap(1, 5), batch.Gap);
        Assert.Equal([5L, 6, 7, 8, 9], (await Replay.ReadAllAsync(client, batch)).Select(e => e.Id));
        Assert.Equal(9, batch.LastEventId);
        Assert.Null((await client.GetEventsAfterAsync(6)).Gap);
    }
}
