using System.Text.RegularExpressions;

namespace SseVirtualization.Gateway.Http;

/// <summary>What function names and client ids may look like (they become grain keys and stream keys).</summary>
internal static partial class Names
{
    public static bool IsValidFunctionName(string? name) => name is not null && FunctionName().IsMatch(name);

    public static bool IsValidClientId(string? clientId) => clientId is not null && ClientId().IsMatch(clientId);

    public const string FunctionNameRule = "[A-Za-z0-9_.-]{1,64}";

    public const string ClientIdRule = "[A-Za-z0-9_.:-]{1,128}";

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionName();

    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClientId();
}
