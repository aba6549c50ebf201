namespace SseVirtualization.Mcp;

/// <summary>
/// The live MCP sessions of one owner (key: <see cref="McpSessionOwnerKey.Format"/>), so no caller can fill storage by
/// starting sessions: each start takes a slot, a session's end gives it back, and an expired session's slot is taken
/// back when the owner is at its bound (<c>Mcp:MaxSessionsPerOwner</c>).
/// </summary>
public interface IMcpSessionOwnerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes a slot for <paramref name="sessionId"/>, which stays live at least until <paramref name="expiresAt"/>
    /// unless ended. True when taken (or already held); false when the owner already holds as many live sessions as allowed.
    /// </summary>
    Task<bool> TryTakeAsync(string sessionId, DateTimeOffset expiresAt);

    /// <summary>Gives back the slot of a session that ended.</summary>
    Task ReleaseAsync(string sessionId);
}

/// <summary>The key of an owner's <see cref="IMcpSessionOwnerGrain"/>.</summary>
public static class McpSessionOwnerKey
{
    /// <param name="owner">An API key's name (<c>key:…</c>), a token's subject (<c>sub:…</c>), or empty for an anonymous caller on loopback.</param>
    public static string Format(string owner) => "owner:" + owner;
}
