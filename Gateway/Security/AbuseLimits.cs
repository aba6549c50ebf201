using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>Rate limits (section <c>Security:RateLimits</c>): token buckets per caller. 0 turns a limit off.</summary>
public sealed class RateLimitSettings
{
    /// <summary>Invocations per second per caller (API key, token subject, or IP when anonymous).</summary>
    public int InvocationsPerSecond { get; set; } = 1000;

    /// <summary>SSE connection attempts per second per caller (token subject, or IP).</summary>
    public int ConnectionsPerSecond { get; set; } = 200;

    /// <summary>How many seconds' worth of requests a caller may send at once before the rate applies.</summary>
    public int BurstSeconds { get; set; } = 2;
}

/// <summary>ASP.NET Core's rate limiter on <c>/invoke</c>, <c>/mcp/stream</c> and <c>/sse</c>; refusals are 429 problem+json with Retry-After.</summary>
internal static class AbuseLimits
{
    public const string InvokePolicy = "invoke";
    public const string ConnectPolicy = "connect";

    public static IServiceCollection AddAbuseLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(InvokePolicy, context => Partition(context, s => s.InvocationsPerSecond));
            limiter.AddPolicy(ConnectPolicy, context => Partition(context, s => s.ConnectionsPerSecond));
            limiter.OnRejected = async (rejected, _) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);

                // A problem result, not the problem-details service alone: that writes only for clients that accept JSON, and
                // threw for an EventSource (which accepts text/event-stream only), turning its 429 into an error.
                await TypedResults.Problem(
                    detail: "This caller sends faster than Security:RateLimits allows; retry after the Retry-After delay.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests").ExecuteAsync(context);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<RateLimitSettings, int> perSecond)
    {
        var settings = context.RequestServices.GetRequiredService<IOptionsMonitor<SecurityOptions>>().CurrentValue.RateLimits;
        var rate = perSecond(settings);
        if (rate <= 0)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }

        return RateLimitPartition.GetTokenBucketLimiter(CallerKey(context) + "/" + rate.ToString(CultureInfo.InvariantCulture), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = rate * Math.Max(1, settings.BurstSeconds),
            TokensPerPeriod = rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>The caller as the limits see it: its API key's name, its token's subject, or its address.</summary>
    public static string CallerKey(HttpContext context)
    {
        // Not context.User: for a request that never authenticated, that makes an empty principal the request then keeps.
        var user = context.Features.Get<IHttpAuthenticationFeature>()?.User;
        if (user?.Identity?.IsAuthenticated == true)
        {
            return user.Identity.AuthenticationType + ":" + (user.FindFirstValue(ClaimTypes.Name) ?? user.FindFirstValue("sub"));
        }

        return "ip:" + context.Connection.RemoteIpAddress;
    }
}
