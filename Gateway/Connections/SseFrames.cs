using System.Text.Json;
using SseVirtualization.Clients;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Connections;

/// <summary>The JSON of the events the front end makes itself (results come ready-made from the grains).</summary>
internal static class SseFrames
{
    public static string Connected(SseConnection connection, string siloId) => JsonText.Object(writer =>
    {
        writer.WriteString("client_id", connection.ClientId);
        writer.WriteString("connection_id", connection.Id);
        writer.WriteString("silo", siloId);
        writer.WriteStartObject("metadata");
        foreach (var (key, value) in connection.Metadata)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        writer.WriteString("message", "SSE connection established");
        writer.WriteNumber("timestamp", connection.CreatedAt.ToUnixTimeSeconds());
    });

    public static string Gap(EventGap gap) => JsonText.Object(writer =>
    {
        writer.WriteNumber("requested_after", gap.RequestedAfterId);
        writer.WriteNumber("oldest_available", gap.OldestAvailableId);
        writer.WriteString("message", gap.OldestAvailableId == 0
            ? $"events after {gap.RequestedAfterId} are no longer kept"
            : $"events {gap.RequestedAfterId + 1} to {gap.OldestAvailableId - 1} are no longer kept");
    });

    public static string TokenExpired(DateTimeOffset expiredAt) => JsonText.Object(writer =>
    {
        writer.WriteString("reason", "token expired");
        writer.WriteString("message", "The token for this stream has expired; reconnect with a new one (Last-Event-ID resumes).");
        writer.WriteNumber("expired_at", expiredAt.ToUnixTimeSeconds());
    });

    public static string Reconnect(DateTimeOffset now) => JsonText.Object(writer =>
    {
        writer.WriteString("reason", "silo shutting down");
        writer.WriteString("message", "reconnect with Last-Event-ID; another silo will serve this stream");
        writer.WriteNumber("timestamp", now.ToUnixTimeSeconds());
    });
}
