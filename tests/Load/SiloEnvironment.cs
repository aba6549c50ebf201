namespace SseVirtualization.Load;

/// <summary>
/// <c>--silo-env NAME=value,NAME=value</c>: settings or runtime knobs (<c>DOTNET_*</c>) for the silos only, so a knob can
/// be measured against the default in one sitting without changing the load tool's own process.
/// </summary>
internal static class SiloEnvironment
{
    public static IEnumerable<KeyValuePair<string, string?>> Parse(string text)
    {
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--silo-env takes NAME=value pairs separated by commas, not '{pair}'.");
            }

            yield return KeyValuePair.Create(pair[..equals], (string?)pair[(equals + 1)..]);
        }
    }
}
