using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Mcp;
using SseVirtualization.Grains.Functions;
using SseVirtualization.Grains.Mcp;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Each configuration section has one owner that binds and validates it: <c>Functions</c> the grains' FunctionOptions,
/// <c>Mcp</c> the front end's McpOptions. The front end and the grains do not reference each other (only the contract),
/// so the silo, which runs both, hands each the values of the section the other owns.
/// </summary>
internal static class SectionOwnersExtensions
{
    public static IServiceCollection AddSectionOwners(this IServiceCollection services)
    {
        services.AddOptions<FunctionLimits>().Configure<IOptions<FunctionOptions>>((limits, functions) =>
        {
            limits.DefaultTimeout = functions.Value.DefaultTimeout;
            limits.MaxTimeout = functions.Value.MaxTimeout;
        });
        services.AddOptions<McpSessionOptions>().Configure<IOptions<McpOptions>>((sessions, mcp) =>
        {
            var owner = mcp.Value;
            sessions.MaxSessionsPerOwner = owner.MaxSessionsPerOwner;
            sessions.MaxStoredMessages = owner.MaxStoredMessages;
            sessions.MaxStoredChars = owner.MaxStoredChars;
            sessions.ClientAnswerTimeout = owner.ClientAnswerTimeout;
            sessions.SessionIdleTimeout = owner.SessionIdleTimeout;
        });
        return services;
    }
}
