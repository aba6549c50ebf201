using Microsoft.Extensions.Options;
using SseVirtualization.Grains.Functions;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// The embedded default (no Redis): the quick start calls functions on this machine or its network, the silo's own
/// sample functions first, so loopback and private networks are allowed unless configured. A value set anywhere
/// (appsettings, <c>Functions__AllowLoopback</c>, the command line) wins; a Redis-backed cluster keeps the section's
/// own defaults (both refused).
/// </summary>
internal sealed class EmbeddedFunctionDefaults(IConfiguration configuration) : IPostConfigureOptions<FunctionOptions>
{
    public void PostConfigure(string? name, FunctionOptions options)
    {
        var section = configuration.GetSection(FunctionOptions.SectionName);
        if (section[nameof(FunctionOptions.AllowLoopback)] is null)
        {
            options.AllowLoopback = true;
        }

        if (section[nameof(FunctionOptions.AllowPrivateNetworks)] is null)
        {
            options.AllowPrivateNetworks = true;
        }
    }
}
