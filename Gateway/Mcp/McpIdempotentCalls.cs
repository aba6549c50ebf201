using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SseVirtualization.Gateway.Security;
using SseVirtualization.Mcp;

namespace SseVirtualization.Gateway.Mcp;

/// <summary>
/// Safe retries of <c>tools/call</c>: a call that carries an idempotency key (<c>_meta.idempotencyKey</c>, or the
/// HTTP <c>Idempotency-Key</c> header) runs once per caller and key within <see cref="McpOptions.IdempotencyWindow"/>.
/// A repeat while it runs waits for its answer; a later one gets the stored answer, under the repeat's own id; the same
/// key with other arguments is refused.
/// </summary>
internal sealed class McpIdempotentCalls(IGrainFactory grains, IOptionsMonitor<McpOptions> options)
{
    public const int MaxKeyLength = 255;

    /// <summary>Runs <paramref name="call"/> at most once for the request's key (or just runs it when there is none).</summary>
    public async Task<string?> OnceAsync(McpMessage request, ClaimsPrincipal caller, Func<Task<string?>> call)
    {
        var key = request.IdempotencyHeader ?? KeyInParams(request);
        if (key is null)
        {
            return await call();
        }

        if (key.Length is 0 or > MaxKeyLength)
        {
            return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, $"An idempotency key is 1 to {MaxKeyLength} characters.");
        }

        var once = grains.ReferenceTo<IMcpIdempotentCallGrain>(McpIdempotencyKey.Format(CallerAccess.OwnerOf(caller), key));
        var claim = await once.ClaimAsync(Fingerprint(request), options.CurrentValue.IdempotencyWindow);
        switch (claim.Kind)
        {
            case McpIdempotentClaimKind.Stored:
                return WithId(claim.AnswerJson!, request.IdJson);
            case McpIdempotentClaimKind.InFlight:
                return await once.WaitAsync() is { } answer
                    ? WithId(answer, request.IdJson)
                    : McpProtocol.Error(request.IdJson, McpProtocol.InternalError, "The call first sent with this idempotency key ended without an answer; send it again.");
            case McpIdempotentClaimKind.Conflict:
                return McpProtocol.Error(request.IdJson, McpProtocol.InvalidParams, "This idempotency key was used for a different call within its window.");
        }

        string? result;
        try
        {
            result = await call();
        }
        catch
        {
            await once.AbandonAsync(claim.ClaimId!);
            throw;
        }

        if (result is null)
        {
            await once.AbandonAsync(claim.ClaimId!); // cancelled by the client, or waiting for its next round: nothing to keep
        }
        else
        {
            await once.CompleteAsync(claim.ClaimId!, result);
        }

        return result;
    }

    private static string? KeyInParams(McpMessage request) =>
        request.Params.ValueKind == JsonValueKind.Object && request.Params.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
        && meta.TryGetProperty("idempotencyKey", out var key) && key.ValueKind == JsonValueKind.String
            ? key.GetString()
            : null;

    /// <summary>The call's name and arguments, hashed: what must match for a repeat to be the same call.</summary>
    private static string Fingerprint(McpMessage request)
    {
        var name = request.StringParam("name") ?? string.Empty;
        var arguments = request.Params.TryGetProperty("arguments", out var args) ? args.GetRawText() : "{}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + arguments)));
    }

    private static string WithId(string answerJson, string? idJson)
    {
        var answer = JsonNode.Parse(answerJson)!.AsObject();
        answer["id"] = idJson is null ? null : JsonNode.Parse(idJson);
        return answer.ToJsonString();
    }
}
