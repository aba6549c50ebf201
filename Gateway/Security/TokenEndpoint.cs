using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Hosting;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Security;

/// <summary>
/// <c>POST /admin/tokens</c> <c>{"client_id","ttl","functions"}</c>: a signed token that opens that client's
/// stream and may invoke the listed functions (<c>"*"</c> for all) for that client only.
/// </summary>
internal static class TokenEndpoint
{
    private const int MaxFunctions = 256;

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
            var body = document!.RootElement;
            if (!body.TryGetProperty("client_id", out var clientElement) || clientElement.ValueKind != JsonValueKind.String
                || !Names.IsValidClientId(clientElement.GetString()!))
            {
                return Problems.Invalid("client_id", $"'client_id' is required and must match {Names.ClientIdRule}.");
            }

            var lifetime = issuer.DefaultLifetime;
            if (body.TryGetProperty("ttl", out var ttlElement) && ttlElement.ValueKind != JsonValueKind.Null)
            {
                if (ttlElement.ValueKind != JsonValueKind.String || !GoDuration.TryParse(ttlElement.GetString()!, out lifetime)
                    || lifetime <= TimeSpan.Zero || lifetime > issuer.MaxLifetime)
                {
                    return Problems.Invalid("ttl", $"'ttl' must be a duration such as \"1h\", more than 0 and at most {GoDuration.Format(issuer.MaxLifetime)}.");
                }
            }

            var functions = new List<string>();
            if (body.TryGetProperty("functions", out var functionsElement) && functionsElement.ValueKind != JsonValueKind.Null)
            {
                if (functionsElement.ValueKind != JsonValueKind.Array || functionsElement.GetArrayLength() > MaxFunctions)
                {
                    return Problems.Invalid("functions", $"'functions' must be an array of at most {MaxFunctions} function names, or [\"*\"].");
                }

                foreach (var element in functionsElement.EnumerateArray())
                {
                    var name = element.ValueKind == JsonValueKind.String ? element.GetString()! : string.Empty;
                    if (name != "*" && !Names.IsValidFunctionName(name))
                    {
                        return Problems.Invalid("functions", $"'functions' holds '{name}', which is neither a function name nor \"*\".");
                    }

                    functions.Add(name);
                }
            }

            var clientId = clientElement.GetString()!;
            var (token, expiresAt, scope) = issuer.Issue(clientId, functions, lifetime);
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
