using System.Text.Json;
using SseVirtualization.Clients;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Tests.Functions;

[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class FunctionGrainTests(GrainClusterFixture fixture)
{
    private static string NewName() => "fn-" + Guid.NewGuid().ToString("N")[..10];

    private FunctionDefinition Definition(string name, string path, TimeSpan? timeout = null) =>
        new(name, [fixture.Stub.Url(path)], "POST", timeout ?? TimeSpan.FromSeconds(20), "test", new Dictionary<string, string> { ["X-Secret"] = "s" }, FunctionRouting.Default);

    [Fact]
    public async Task Register_answers_an_endpoint_the_egress_policy_refuses_with_a_typed_refusal_and_stores_nothing()
    {
        var name = NewName();
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);
        var definition = Definition(name, "echo");

        var result = await grain.RegisterAsync(definition with { Endpoints = [definition.Endpoints[0], new Uri("http://169.254.169.254/latest/meta-data?key=secret")] });

        Assert.False(result.IsStored);
        Assert.Null(result.Function);
        Assert.Equal(RegistrationRefusal.EndpointsField, result.Refusal!.Field);
        Assert.Equal(
            "http://169.254.169.254/latest/meta-data is refused: its host 169.254.169.254 is, or resolves to, a link-local or cloud metadata address. See docs/functions.md, egress.",
            result.Refusal.Detail);
        Assert.Null(await grain.GetAsync());
        Assert.DoesNotContain(name, await fixture.Grains.GetGrain<IFunctionRegistryGrain>(0).ListAsync());
    }

    [Fact]
    public async Task Register_creates_then_updates_keeping_the_creation_time()
    {
        var name = NewName();
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);

        var created = await grain.RegisterAsync(Definition(name, "echo"));
        var updated = await grain.RegisterAsync(Definition(name, "text") with { Description = "changed" });

        Assert.True(created.IsStored);
        Assert.True(updated.IsStored);
        Assert.True(created.Created);
        Assert.False(updated.Created);
        Assert.Equal(created.Function.CreatedAt, updated.Function.CreatedAt);
        Assert.True(updated.Function.UpdatedAt >= created.Function.UpdatedAt);
        var stored = await grain.GetAsync();
        Assert.Equal("changed", stored!.Definition.Description);
        // Header values are secrets (#6): the grain hands out only their names, yet still sends them.
        Assert.Equal("[redacted]", stored.Definition.Headers["X-Secret"]);
        var call = await grain.InvokeAsync(new InvocationRequest("{}", RequestId: "secret-" + name));
        Assert.True(call.Success);
        Assert.Equal("s", fixture.Stub.Calls["secret-" + name].Headers["X-Secret"]);
    }

    [Fact]
    public async Task Registry_lists_names_sorted_and_forgets_deleted_ones()
    {
        var names = new[] { "zz-" + NewName(), "aa-" + NewName(), "mm-" + NewName() };
        foreach (var name in names)
        {
            await fixture.Grains.GetGrain<IFunctionGrain>(name).RegisterAsync(Definition(name, "echo"));
        }

        Assert.True(await fixture.Grains.GetGrain<IFunctionGrain>(names[2]).DeleteAsync());
        Assert.False(await fixture.Grains.GetGrain<IFunctionGrain>(names[2]).DeleteAsync());

        var listed = await fixture.Grains.GetGrain<IFunctionRegistryGrain>(0).ListAsync();
        Assert.Contains(names[0], listed);
        Assert.Contains(names[1], listed);
        Assert.DoesNotContain(names[2], listed);
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Invocations_of_one_function_run_concurrently()
    {
        // The stub releases its callers only once three are waiting together.
        var name = NewName();
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);
        await grain.RegisterAsync(Definition(name, $"gate/{Guid.NewGuid():N}/3"));

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => grain.InvokeAsync(new InvocationRequest("{}"))));

        Assert.All(results, r => Assert.Equal(InvocationOutcome.Succeeded, r.Outcome));
        Assert.Equal(3, results.Select(r => r.RequestId).Distinct().Count());
    }

    [Fact]
    public async Task Reads_and_a_registration_change_do_not_wait_for_a_call_in_flight_which_ends_on_its_registration()
    {
        // The stub holds the first call until a second one arrives.
        var name = NewName();
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);
        var gate = $"gate/{Guid.NewGuid():N}/2";
        await grain.RegisterAsync(Definition(name, gate));
        var inFlight = grain.InvokeAsync(new InvocationRequest("{}", RequestId: "held-" + name));
        await TestInfrastructure.Eventually.UntilAsync(() => Task.FromResult(fixture.Stub.Calls.ContainsKey("held-" + name)), "the first call to reach the function");

        var status = await grain.GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var updated = await grain.RegisterAsync(Definition(name, gate) with { Description = "changed" }).WaitAsync(TimeSpan.FromSeconds(10));
        var stored = await grain.GetAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, status!.InFlight);
        Assert.False(updated.Created);
        Assert.Equal("changed", stored!.Definition.Description);
        Assert.False(inFlight.IsCompleted);
        var second = await grain.InvokeAsync(new InvocationRequest("{}"));
        Assert.Equal(InvocationOutcome.Succeeded, second.Outcome);
        Assert.Equal(InvocationOutcome.Succeeded, (await inFlight.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
    }

    [Fact]
    public async Task Invoking_an_unknown_function_reports_not_found()
    {
        var result = await fixture.Grains.GetGrain<IFunctionGrain>(NewName()).InvokeAsync(new InvocationRequest("{}", "c", Async: true));

        Assert.Equal(InvocationOutcome.NotFound, result.Outcome);
        Assert.Equal(NotFoundReason.NotRegistered, result.NotFoundReason);
        Assert.False(result.Success);
    }

    [Fact]
    public async Task Invoking_an_mcp_server_registration_reports_not_found_saying_it_is_an_mcp_server()
    {
        var name = NewName();
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);
        await grain.RegisterAsync(Definition(name, "echo") with { Kind = FunctionDefinition.McpKind });

        var result = await grain.InvokeAsync(new InvocationRequest("{}"));

        Assert.Equal(InvocationOutcome.NotFound, result.Outcome);
        Assert.Equal(NotFoundReason.McpServer, result.NotFoundReason);
    }

    [Fact]
    public async Task Async_invocation_is_accepted_at_once_and_its_result_waits_in_the_client_grain()
    {
        var name = NewName();
        var clientId = "client-" + Guid.NewGuid().ToString("N");
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);
        await grain.RegisterAsync(Definition(name, "echo"));

        var accepted = await grain.InvokeAsync(new InvocationRequest("{\"n\":7}", clientId, Async: true, RequestId: "req-1"));

        Assert.Equal(InvocationOutcome.Accepted, accepted.Outcome);
        Assert.Equal("req-1", accepted.RequestId);
        var client = fixture.Grains.GetGrain<IClientGrain>(clientId);
        var backlog = await TestInfrastructure.Eventually.WaitAsync(
            async () => await client.ConnectAsync(fixture.Cluster.Primary!.SiloAddress.ToParsableString(), lastEventId: 0) is { Events.Count: > 0 } batch ? batch.Events : null,
            "the result to reach the client grain");
        var result = JsonDocument.Parse(backlog.Single().DataJson).RootElement;
        Assert.Equal(ClientEventTypes.FunctionResponse, backlog.Single().Type);
        Assert.Equal("req-1", result.GetProperty("request_id").GetString());
        Assert.Equal(7, result.GetProperty("data").GetProperty("payload").GetProperty("n").GetInt32());
        Assert.Equal("req-1", fixture.Stub.Calls["req-1"].RequestId);
        Assert.Equal(clientId, fixture.Stub.Calls["req-1"].ClientId);
    }

    [Fact]
    public async Task Invocation_timeout_overrides_the_registered_one()
    {
        var name = NewName();
        var grain = fixture.Grains.GetGrain<IFunctionGrain>(name);
        await grain.RegisterAsync(Definition(name, "slow/20000", TimeSpan.FromSeconds(30)));

        var result = await grain.InvokeAsync(new InvocationRequest("{}", Timeout: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(InvocationOutcome.TimedOut, result.Outcome);
        Assert.Contains("0.3", result.Error, StringComparison.Ordinal);
    }
}
