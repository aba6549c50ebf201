using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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
    public static void MapTokens(this IEndpointRouteBuilder admin) => admin.MapPost("/tokens", IssueAsync)
        .JsonBody<TokenRequestBody>()
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithTags("Access")
        .WithName("IssueToken").WithSummary("Issue a signed token for one client's stream and the scopes asked for.");

    private static async Task<Results<Created<TokenIssued>, ProblemHttpResult>> IssueAsync(HttpContext context, TokenIssuer issuer, IOptions<GatewayOptions> options)
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
            return TypedResults.Created((string?)null, new TokenIssued(token, "Bearer", clientId, scope, expiresAt));
        }
    }
}
