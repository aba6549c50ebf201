namespace SseVirtualization.Functions;

/// <summary>
/// Why an invocation was answered <see cref="InvocationOutcome.NotFound"/>, so the HTTP front end can say so without
/// reading the grain's text.
/// </summary>
public enum NotFoundReason
{
    /// <summary>
    /// Not said: the outcome is not <see cref="InvocationOutcome.NotFound"/>, or the answer came from a silo of a version
    /// before this field (a rolling upgrade), whose only account of the reason is its text.
    /// </summary>
    Unspecified = 0,

    /// <summary>Nothing is registered under the name.</summary>
    NotRegistered = 1,

    /// <summary>The name is registered as a remote MCP server: its tools are called through <c>/mcp</c>, not <c>/invoke</c>.</summary>
    McpServer = 2,
}
