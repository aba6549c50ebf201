namespace SseVirtualization.Functions;

/// <summary>How an invocation ended; the HTTP front end maps it to a status code.</summary>
public enum InvocationOutcome
{
    /// <summary>The function answered 2xx.</summary>
    Succeeded = 0,

    /// <summary>The function answered a non-2xx status (kept in <see cref="InvocationResult.StatusCode"/>).</summary>
    FunctionError = 1,

    /// <summary>The function did not answer within the timeout.</summary>
    TimedOut = 2,

    /// <summary>The function could not be reached (connection refused, DNS, TLS, reset).</summary>
    Unreachable = 3,

    /// <summary>No function is registered under that name.</summary>
    NotFound = 4,

    /// <summary>An async invocation was accepted; its result goes to the client's stream.</summary>
    Accepted = 5,

    /// <summary>An accepted async invocation was started the allowed number of times and never finished.</summary>
    Abandoned = 6,

    /// <summary>
    /// Refused before running: the client has too many unanswered async invocations, or the function's
    /// concurrency limit and queue are full.
    /// </summary>
    Throttled = 7,

    /// <summary>A streaming invocation was cut off (its silo died); it is not restarted, since items were already sent.</summary>
    Interrupted = 8,
}
