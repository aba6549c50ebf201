using Orleans.Runtime;

namespace SseVirtualization.Gateway.Connections;

/// <summary>The id of the silo this front end runs in: the key of its delivery channel and of its delivery and connections grains.</summary>
internal sealed class SiloIdentity(ILocalSiloDetails siloDetails)
{
    private string? _id;

    public string Id => _id ??= siloDetails.SiloAddress.ToParsableString();

    public SiloAddress Address => siloDetails.SiloAddress;
}
