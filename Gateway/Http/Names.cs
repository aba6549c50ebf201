using System.Text.RegularExpressions;

namespace SseVirtualization.Gateway.Http;

/// <summary>What function names and client ids may look like (they become grain keys and stream keys).</summary>
internal static partial class Names
{
    /// <remarks>
    /// <c>.</c> and <c>..</c> match the characters but not a URL: clients and proxies resolve them as path segments,
    /// so <c>/admin/functions/..</c> never reaches the function.
    /// </remarks>
    public static bool IsValidFunctionName(string? name) => name is not null and not "." and not ".." && FunctionName().IsMatch(name);

    public static bool IsValidClientId(string? clientId) => clientId is not null && ClientId().IsMatch(clientId);

    public const string FunctionNameRule = "[A-Za-z0-9_.-]{1,64} (other than . and ..)";

    public const string ClientIdRule = "[A-Za-z0-9_.:-]{1,128}";

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionName();

    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClientId();
}
