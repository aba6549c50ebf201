namespace SseVirtualization.Functions;

/// <summary>
/// An endpoint's query string often carries a key (Azure Functions' <c>?code=</c>, signed URLs): like header values,
/// its values are shown only as <c>[redacted]</c>, parameter names kept so an operator can tell what is set.
/// </summary>
public static class EndpointRedaction
{
    /// <summary>What replaces each value.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>Whether <paramref name="endpoint"/> has a query or fragment that redaction would hide.</summary>
    public static bool HasSecrets(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0;
    }

    /// <summary><c>https://fn.example/run?code=[redacted]&amp;x=[redacted]</c> for <c>https://fn.example/run?code=K&amp;x=1</c>.</summary>
    public static Uri Redact(Uri endpoint)
    {
        if (!HasSecrets(endpoint))
        {
            return endpoint;
        }

        var parameters = endpoint.Query.TrimStart('?')
            .Split('&')
            .Select(parameter => parameter.IndexOf('=', StringComparison.Ordinal) is var equals and >= 0
                ? parameter[..equals] + "=" + Redacted
                : parameter.Length == 0 ? parameter : Redacted);
        var redacted = endpoint.GetLeftPart(UriPartial.Path)
            + (endpoint.Query.Length > 0 ? "?" + string.Join('&', parameters) : string.Empty)
            + (endpoint.Fragment.Length > 0 ? "#" + Redacted : string.Empty);
        return new Uri(redacted);
    }
}
