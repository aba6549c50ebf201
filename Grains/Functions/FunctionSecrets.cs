using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace SseVirtualization.Grains.Functions;

/// <summary>
/// A function's header values and endpoint query strings are secrets: stored encrypted with ASP.NET Core Data
/// Protection (its keys shared by the cluster), kept in clear only in the active grain's memory, and redacted
/// wherever they leave it.
/// </summary>
internal sealed class FunctionSecrets(IDataProtectionProvider provider)
{
    public const string Redacted = "[redacted]";

    private readonly IDataProtector _protector = provider.CreateProtector("SseVirtualization.Functions.Headers.v1");

    private readonly IDataProtector _endpointProtector = provider.CreateProtector("SseVirtualization.Functions.Endpoints.v1");

    public string Protect(IReadOnlyDictionary<string, string> headers) =>
        _protector.Protect(JsonSerializer.Serialize(headers));

    public Dictionary<string, string> Unprotect(string protectedHeaders) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(protectedHeaders))!, StringComparer.OrdinalIgnoreCase);

    public string ProtectEndpoints(IEnumerable<Uri> endpoints) =>
        _endpointProtector.Protect(JsonSerializer.Serialize(endpoints.Select(e => e.OriginalString)));

    public List<Uri> UnprotectEndpoints(string protectedEndpoints) =>
        JsonSerializer.Deserialize<List<string>>(_endpointProtector.Unprotect(protectedEndpoints))!.Select(e => new Uri(e)).ToList();

    /// <summary>The same names, every value replaced: what storage and callers see.</summary>
    public static Dictionary<string, string> Redact(IReadOnlyDictionary<string, string> headers) =>
        headers.ToDictionary(h => h.Key, _ => Redacted, StringComparer.OrdinalIgnoreCase);
}
