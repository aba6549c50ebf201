using Orleans.Runtime;

namespace SseVirtualization.Gateway.Connections;

/// <summary>The id of the silo this front end runs in: the key of its delivery stream and of its connections grain.</summary>
internal sealed class SiloIdentity(ILocalSiloDetails siloDetails)
{
    private string? _id;

    public string Id => _id ??= siloDetails.SiloAddress.ToParsableString();

    public SiloAddress Address => siloDetails.SiloAddress;
}
