using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SseVirtualization.Gateway.Admin;
using SseVirtualization.Gateway.Functions;
using SseVirtualization.Gateway.Invocation;
using SseVirtualization.Gateway.Security;

namespace SseVirtualization.Gateway.Http;

/// <summary>
/// Source-generated JSON for the bodies of the HTTP API, snake_case as the Go project's API is. Reading is exact:
/// names match case-sensitively, numbers are not read from strings (as the hand-written readers did).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    UseStringEnumConverter = false)]
[JsonSerializable(typeof(FunctionRegistrationRequest))]
[JsonSerializable(typeof(FunctionView))]
[JsonSerializable(typeof(FunctionListView))]
[JsonSerializable(typeof(InvokeRequestBody))]
[JsonSerializable(typeof(InvokeAccepted))]
[JsonSerializable(typeof(InvocationResultView))]
[JsonSerializable(typeof(TokenRequestBody))]
[JsonSerializable(typeof(TokenIssued))]
[JsonSerializable(typeof(ClusterHealthView))]
[JsonSerializable(typeof(ConnectionListView))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext
{
    /// <summary>
    /// These types for the HTTP layer's own options (TypedResults and the OpenAPI document use those, camelCase by default):
    /// the names stay snake_case there too, while other types (the samples) keep the defaults.
    /// </summary>
    public static IJsonTypeInfoResolver Wire => WireResolver.Value;

    // Lazy: static initializers of the generated half of this class may run after this one's.
    private static readonly Lazy<IJsonTypeInfoResolver> WireResolver = new(() => JsonTypeInfoResolver.WithAddedModifier(Default!, type =>
    {
        // Numbers are numbers here, whatever the HTTP options' web defaults say (the document must not promise strings).
        type.NumberHandling = JsonNumberHandling.Strict;
        foreach (var property in type.Properties)
        {
            property.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            property.NumberHandling = JsonNumberHandling.Strict;
        }
    }));
}
