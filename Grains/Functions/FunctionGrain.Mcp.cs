using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using SseVirtualization.Functions;
using SseVirtualization.Grains.Mcp;
using SseVirtualization.Mcp;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// A registration of kind <c>mcp</c> is a remote MCP server: this activation is the layer's client of it
/// (<see cref="McpUpstream"/>), holding the header values in clear and the upstream session in its state.
/// </summary>
internal sealed partial class FunctionGrain
{
    private McpUpstream? _upstream;

    public async Task<IReadOnlyList<McpUpstreamTool>> ListToolsAsync()
    {
        if (Upstream() is not { } upstream)
        {
            return [];
        }

        // Bounded: a server that accepts connections but never answers must not hold every tools/list.
        using var deadline = new CancellationTokenSource(_function!.Definition.Timeout);
        return await upstream.ListToolsAsync(deadline.Token);
    }

    public async IAsyncEnumerable<McpUpstreamMessage> CallToolAsync(
        string tool, string argumentsJson, string? progressTokenJson, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Upstream() is not { } upstream)
        {
            yield return new McpUpstreamMessage(McpUpstreamMessageKind.Error, "{\"code\":-32602,\"message\":\"Unknown tool: the MCP server registration is gone.\"}");
            yield break;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_function!.Definition.Timeout);
        await foreach (var message in upstream.CallToolAsync(tool, argumentsJson, progressTokenJson, deadline.Token))
        {
            yield return message;
        }
    }

    public async Task<McpUpstreamMessage> RequestAsync(string method, string paramsJson)
    {
        if (Upstream() is not { } upstream)
        {
            return new McpUpstreamMessage(McpUpstreamMessageKind.Error, "{\"code\":-32602,\"message\":\"The MCP server registration is gone.\"}");
        }

        try
        {
            using var deadline = new CancellationTokenSource(_function!.Definition.Timeout);
            return await upstream.RequestAsync(method, paramsJson, deadline.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUpstreamRequestFailed(logger, ex, Name, method);
            return new McpUpstreamMessage(McpUpstreamMessageKind.Error, "{\"code\":-32603,\"message\":\"The MCP server behind this request could not be reached or failed.\"}");
        }
    }

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "Forwarding {Method} to the MCP server {Name} failed")]
    private static partial void LogUpstreamRequestFailed(ILogger logger, Exception exception, string name, string method);

    public async Task ResetAsync()
    {
        if (_upstream is { } upstream)
        {
            await upstream.ResetAsync();
        }
    }

    private McpUpstream? Upstream()
    {
        if (_function is not { Definition.IsMcpServer: true } function)
        {
            return null;
        }

        return _upstream ??= new McpUpstream(
            function.Definition.Endpoints[0],
            function.Definition.Headers,
            httpClients.CreateClient(FunctionInvoker.HttpClientName),
            state.State.Upstream,
            SaveUpstreamAsync,
            () => _ = catalog.PublishAsync(Name),
            options.Value.McpToolsCacheTtl,
            time,
            loggers);
    }

    private async Task SaveUpstreamAsync(UpstreamSession? session)
    {
        // Interleaved calls save this; the lock keeps the write from racing a registration's (same ETag).
        await _stateWrites.WaitAsync();
        try
        {
            if (state.State.Function is null || Equals(state.State.Upstream, session))
            {
                return;
            }

            state.State.Upstream = session;
            await state.WriteStateAsync();
        }
        finally
        {
            _stateWrites.Release();
        }
    }

    /// <summary>A changed or removed registration drops the upstream session and tells MCP sessions their tools changed.</summary>
    private async Task OnRegistrationChangedAsync(FunctionDefinition? before, FunctionDefinition? after)
    {
        if (before?.IsMcpServer == true || after?.IsMcpServer == true)
        {
            await StopUpstreamAsync();
            await _stateWrites.WaitAsync();
            try
            {
                if (after is not null && state.State.Upstream is not null)
                {
                    state.State.Upstream = null;
                    await state.WriteStateAsync();
                }
            }
            finally
            {
                _stateWrites.Release();
            }
        }

        if (before?.InputSchemaJson is not null || after?.InputSchemaJson is not null || before?.IsMcpServer == true || after?.IsMcpServer == true)
        {
            await catalog.PublishAsync(Name);
        }
    }

    private async Task StopUpstreamAsync()
    {
        if (_upstream is { } upstream)
        {
            _upstream = null;
            await upstream.DisposeAsync();
        }
    }
}
