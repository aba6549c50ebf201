using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// <c>POST /admin/tokens</c> <c>{"client_id","ttl","scopes","functions"}</c> (<see cref="TokenRequest"/>): a signed
/// token that opens that client's stream and holds the scopes asked for (MCP, invoking functions) for that client only.
/// </summary>
internal static class TokenEndpoint
{
    public static void MapTokens(this IEndpointRouteBuilder admin) => admin.MapPost("/tokens", IssueAsync);

    private static async Task<IResult> IssueAsync(HttpContext context, TokenIssuer issuer, IOptions<GatewayOptions> options)
    {
        if (!issuer.CanIssue)
        {
            return TypedResults.Problem(
                detail: "Token issuing is not configured: set Security:Tokens:SigningKey (base64, at least 32 bytes).",
                statusCode: StatusCodes.Status409Conflict,
                title: "Tokens not configured");
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(context, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var (request, invalid) = TokenRequest.Read(document!.RootElement, issuer);
            if (invalid is not null)
            {
                return invalid;
            }

            var clientId = request!.ClientId;
            var (token, expiresAt, scope) = issuer.Issue(clientId, request.Scopes, request.Lifetime);
            return JsonResults.Write(StatusCodes.Status201Created, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("token", token);
                writer.WriteString("token_type", "Bearer");
                writer.WriteString("client_id", clientId);
                writer.WriteString("scope", scope);
                writer.WriteString("expires_at", expiresAt);
                writer.WriteEndObject();
            });
        }
    }
}
