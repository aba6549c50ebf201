using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// <c>POST /admin/session</c> (with the admin key, once) starts a browser's admin session cookie;
/// <c>DELETE /admin/session</c> ends it. Both sit behind the admin check like every <c>/admin</c> route.
/// </summary>
internal static class SessionEndpoint
{
    public static void MapAdminSession(this IEndpointRouteBuilder admin)
    {
        admin.MapPost("/session", (HttpContext context, AdminSession sessions, IOptionsMonitor<SecurityOptions> security) =>
        {
            var name = context.User.FindFirstValue(ClaimTypes.Name);
            var key = security.CurrentValue.ApiKeys.FirstOrDefault(k => k.Name == name);
            if (key is not null)
            {
                sessions.Start(context, key);
            }

            // Without a key (open admin on loopback) there is nothing to tie a session to, and none is needed.
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).WithTags("Access").WithName("StartAdminSession").WithSummary("Start a browser's admin session cookie (with the admin key, once).");
        admin.MapDelete("/session", (HttpContext context) =>
        {
            AdminSession.End(context);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).WithTags("Access").WithName("EndAdminSession").WithSummary("End the browser's admin session.");
    }
}
