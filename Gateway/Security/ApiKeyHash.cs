using System.Security.Cryptography;
using System.Text;

namespace SseVirtualization.Gateway.Security;

/// <summary>API keys are configured and compared as SHA-256 hashes, so the configuration never holds a usable key.</summary>
internal static class ApiKeyHash
{
    private const string Prefix = "sha256:";

    public static byte[]? Parse(string configured)
    {
        if (!configured.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || configured.Length != Prefix.Length + 64)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(configured.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string Format(string key) => Prefix + Convert.ToHexStringLower(Of(key));
}

internal static class TokenKeys
{
    public static bool TryDecode(string base64, out byte[] key)
    {
        key = [];
        try
        {
            key = Convert.FromBase64String(base64);
            return key.Length >= 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
