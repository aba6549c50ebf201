using SseVirtualization.Functions;
using SseVirtualization.Grains.Mcp;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// A registration of kind <c>mcp</c> is a remote MCP server. The layer's sessions with it are held per downstream
/// session by <see cref="McpUpstreamGrain"/>; this grain only says where the server is and announces changes.
/// </summary>
internal sealed partial class FunctionGrain : IMcpServerRegistrationGrain
{
    /// <remarks>The endpoint as registered (its query in clear, from memory): the upstream grain connects to it.</remarks>
    public Task<McpServerRegistration?> GetMcpServerAsync() => Task.FromResult(
        _function is { IsActive: true, Definition.IsMcpServer: true } function
            ? new McpServerRegistration(function.Definition.Endpoints[0], state.State.ProtectedHeaders, function.Definition.Timeout, function.UpdatedAt)
            : null);

    /// <summary>A changed or removed tool source tells every MCP session that its tools changed.</summary>
    private async Task OnRegistrationChangedAsync(FunctionDefinition? before, FunctionDefinition? after)
    {
        if (before?.InputSchemaJson is not null || after?.InputSchemaJson is not null || before?.IsMcpServer == true || after?.IsMcpServer == true)
        {
            await catalog.PublishAsync(Name);
        }
    }
}
