namespace SseVirtualization.Gateway.Mcp;

/// <summary>The answer a detached MCP request gets when the silo stops before it finished (<see cref="Hosting.DetachedWork"/>).</summary>
internal static class McpStoppedAnswers
{
    public const string Message =
        "The server stopped before this request finished; whether it took effect is unknown. Send it again if that is safe.";

    /// <summary><paramref name="answer"/>, or a clear error once <paramref name="giveUp"/> says the silo stops without it.</summary>
    /// <remarks>The call itself is not cancelled (a function grain may run it elsewhere); only its answer is no longer awaited.</remarks>
    public static async Task<string?> UnlessStoppedAsync(this Task<string?> answer, McpMessage request, CancellationToken giveUp)
    {
        try
        {
            return await answer.WaitAsync(giveUp);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InternalError, Message);
        }
    }
}
