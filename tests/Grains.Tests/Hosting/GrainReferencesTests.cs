using SseVirtualization.Clients;
using SseVirtualization.Functions;

namespace SseVirtualization.Grains.Tests.Hosting;

[Collection(GrainClusterCollectionDefinition.Name)]
public sealed class GrainReferencesTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_built_from_the_recorded_types_reaches_the_same_grain_as_GetGrain()
    {
        var name = "fn-" + Guid.NewGuid().ToString("N")[..10];
        var registered = await fixture.Grains.GetGrain<IFunctionGrain>(name).RegisterAsync(
            new FunctionDefinition(name, [fixture.Stub.Url("echo")], "POST", TimeSpan.FromSeconds(20), "test", new Dictionary<string, string>(), FunctionRouting.Default));
        Assert.True(registered.IsStored);

        // The first reference to an interface records its types; the second is built from them.
        foreach (var reference in new[] { fixture.Grains.ReferenceTo<IFunctionGrain>(name), fixture.Grains.ReferenceTo<IFunctionGrain>(name) })
        {
            Assert.Equal(fixture.Grains.GetGrain<IFunctionGrain>(name).GetGrainId(), reference.GetGrainId());
            Assert.Equal(name, (await reference.GetAsync())!.Definition.Name);
        }

        var other = fixture.Grains.ReferenceTo<IFunctionGrain>(name + "-other");
        Assert.Equal(fixture.Grains.GetGrain<IFunctionGrain>(name + "-other").GetGrainId(), other.GetGrainId());
        Assert.Null(await other.GetAsync());

        // As GetGrain does, whether or not the types are recorded yet.
        Assert.Throws<ArgumentException>(() => fixture.Grains.ReferenceTo<IFunctionGrain>(" "));
        Assert.Throws<ArgumentException>(() => fixture.Grains.ReferenceTo<IClientGrain>(""));
    }
}
