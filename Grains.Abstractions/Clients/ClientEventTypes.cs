namespace SseVirtualization.Clients;

/// <summary>SSE event names on <c>/sse/{clientId}</c>.</summary>
public static class ClientEventTypes
{
    /// <summary>First event of every connection; carries no id.</summary>
    public const string Connected = "connected";

    /// <summary>Periodic keep-alive; carries no id.</summary>
    public const string Heartbeat = "heartbeat";

    /// <summary>The result of an invocation made for this client.</summary>
    public const string FunctionResponse = "function_response";

    /// <summary>One item of a streaming answer, for an invocation made with <c>"stream": true</c>.</summary>
    public const string FunctionResult = "function_result";

    /// <summary>Some events the client asked to resume from are no longer kept; carries no id.</summary>
    public const string Gap = "gap";

    /// <summary>The token that opened the stream has expired; the stream ends next. Carries no id.</summary>
    public const string TokenExpired = "token_expired";

    /// <summary>The silo is shutting down: reconnect (the <c>retry:</c> hint is short); carries no id.</summary>
    public const string Reconnect = "reconnect";
}
