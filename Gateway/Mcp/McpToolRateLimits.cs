using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// A registration's <c>tool_rate_limit</c>: each caller (<see cref="CallerAccess.OwnerOf"/>) may call each of its tools
/// so many times per window, counted on each silo like <c>Security:RateLimits</c>. One fixed-window limiter per caller,
/// tool and limit (a changed limit starts afresh), from System.Threading.RateLimiting.
/// </summary>
internal sealed class McpToolRateLimits : IDisposable
{
    /// <summary>JSON-RPC's server-error code; <c>data.reason</c> says which refusal it is.</summary>
    public const int Code = McpProtocol.ServerError;

    public const string Reason = "tool_rate_limited";

    private readonly PartitionedRateLimiter<Call> _limiter = PartitionedRateLimiter.Create<Call, string>(call =>
        RateLimitPartition.GetFixedWindowLimiter(call.Key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = call.Limit.Permits,
            Window = call.Limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the caller may call <paramref name="tool"/> now (taking one permit), else the JSON-RPC error to answer.</summary>
    public string? Refusal(McpMessage request, ClaimsPrincipal caller, McpTool tool)
    {
        if (tool.RateLimit is not { } limit)
        {
            return null;
        }

        var key = string.Join('\n', CallerAccess.OwnerOf(caller), tool.Source, tool.Name, limit.Permits.ToString(CultureInfo.InvariantCulture), limit.Window.Ticks.ToString(CultureInfo.InvariantCulture));
        using var lease = _limiter.AttemptAcquire(new Call(key, limit));
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
        return McpProtocol.Error(
            request.IdJson,
            Code,
            $"Rate limit of tool '{tool.Name}': at most {limit.Permits} calls per {Functions.GoDuration.Format(limit.Window)} per caller (its registration's tool_rate_limit); retry later.",
            new Dictionary<string, object> { ["reason"] = Reason, ["tool"] = tool.Name, ["retryAfterMs"] = (long)Math.Ceiling(retryAfter.TotalMilliseconds) });
    }

    public void Dispose() => _limiter.Dispose();

    private sealed record Call(string Key, ToolRateLimit Limit);
}
