using Orleans.Runtime;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Mcp;

/// <summary>
/// Tells every active silo that a source of MCP tools changed, so each tells its open MCP sessions
/// (<c>notifications/tools/list_changed</c>). A registration's changes go through it; an upstream server's own
/// <c>list_changed</c> reaches the sessions that use it directly (McpUpstreamGrain).
/// </summary>
public sealed class McpCatalogNotifier(IGrainFactory grains, IClusterMembershipService membership)
{
    public Task PublishAsync(string source)
    {
        foreach (var (address, member) in membership.CurrentSnapshot.Members)
        {
            if (member.Status == SiloStatus.Active)
            {
                // One-way: a missed notice only delays clients seeing the change until they list tools again.
                _ = grains.ReferenceTo<ISiloMcpGrain>(address.ToParsableString()).ToolsChangedAsync(source);
            }
        }

        return Task.CompletedTask;
    }
}
