using System.Text.Json;
using System.Text.Json.Serialization;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// A stored function as the admin API shows it. Header values and endpoint query values are never returned, only their
/// names (the grain hands out redacted registrations; redacting again here keeps it so whatever the grain gives).
/// </summary>
internal sealed record FunctionView(
    string Name,
    string Endpoint,
    IReadOnlyList<string> Endpoints,
    string Method,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan Timeout,
    long TimeoutMs,
    string Description,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? InputSchema,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? OutputSchema,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ToolShapingView? Tools,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ToolRateLimitView? ToolRateLimit,
    IReadOnlyDictionary<string, string> Headers,
    string LoadBalancing,
    [property: JsonConverter(typeof(FalseWhenOffConverter<HealthCheckSettingsView>))] HealthCheckSettingsView? HealthCheck,
    RetrySettingsView Retry,
    [property: JsonConverter(typeof(FalseWhenOffConverter<CircuitBreakerSettingsView>))] CircuitBreakerSettingsView? CircuitBreaker,
    int MaxConcurrency,
    int MaxQueue,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool IsActive,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<EndpointHealthView>? Health,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FunctionStatsView? Stats)
{
    public const string Redacted = "[redacted]";

    /// <param name="function">The registration.</param>
    /// <param name="status">The active grain's endpoint health and statistics, shown as <c>health</c> and <c>stats</c>.</param>
    public static FunctionView From(RegisteredFunction function, FunctionStatus? status = null)
    {
        var definition = function.Definition;
        var routing = definition.Routing;
        return new(
            definition.Name,
            Redact(definition.Endpoints[0]),
            [.. definition.Endpoints.Select(Redact)],
            definition.Method,
            definition.Timeout,
            (long)definition.Timeout.TotalMilliseconds,
            definition.Description,
            definition.Kind ?? FunctionDefinition.HttpKind,
            Schema(definition.InputSchemaJson),
            Schema(definition.OutputSchemaJson),
            definition.Tools is { } tools ? new(tools.Include, tools.Exclude, tools.Rename) : null,
            definition.ToolRateLimit is { } limit ? new(limit.Permits, limit.Window) : null,
            definition.Headers.Keys.ToDictionary(name => name, _ => Redacted, StringComparer.Ordinal),
            routing.LoadBalancing switch
            {
                LoadBalancingPolicy.LeastOutstanding => "least_outstanding",
                LoadBalancingPolicy.Random => "random",
                _ => "round_robin",
            },
            routing.HealthCheck is { } health ? new(health.Path, health.Interval, health.Timeout, health.UnhealthyThreshold, health.HealthyThreshold) : null,
            new(routing.Retry.MaxRetries, routing.Retry.BaseDelay, routing.Retry.MaxDelay),
            routing.CircuitBreaker is { } breaker ? new(breaker.FailureRatio, breaker.MinimumThroughput, breaker.SamplingDuration, breaker.BreakDuration) : null,
            routing.MaxConcurrency,
            routing.MaxQueue,
            function.CreatedAt,
            function.UpdatedAt,
            function.IsActive,
            status?.Endpoints.Select(e => new EndpointHealthView(
                Redact(e.Url), e.Health, e.Circuit, e.LastCheck, e.ConsecutiveFailures, Round(e.LastCheckLatencyMs), e.LastCheckError, e.Outstanding)).ToList(),
            status is null ? null : new FunctionStatsView(
                status.Since,
                status.Silo,
                status.Statistics.Invocations,
                new SortedDictionary<string, long>(status.Statistics.Outcomes.ToDictionary(), StringComparer.Ordinal),
                status.Statistics.Retries,
                Round(status.Statistics.LatencyP50Ms),
                Round(status.Statistics.LatencyP99Ms),
                status.InFlight,
                status.Queued));
    }

    private static string Redact(Uri endpoint) => EndpointRedaction.Redact(endpoint).OriginalString;

    private static double? Round(double? value) => value is { } number ? Math.Round(number, 3) : null;

    private static JsonElement? Schema(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary>A remote MCP server's tool shaping; <c>include</c> is left out when every tool is offered.</summary>
internal sealed record ToolShapingView(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Include,
    IReadOnlyList<string> Exclude,
    IReadOnlyDictionary<string, string> Rename);

/// <summary>How often one caller may call each MCP tool.</summary>
internal sealed record ToolRateLimitView(int Permits, [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan Window);

/// <summary>Active health checks of each endpoint.</summary>
internal sealed record HealthCheckSettingsView(
    string Path,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan Interval,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan Timeout,
    int UnhealthyThreshold,
    int HealthyThreshold);

/// <summary>Retries of transient failures.</summary>
internal sealed record RetrySettingsView(
    int MaxRetries,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan BaseDelay,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan MaxDelay);

/// <summary>The circuit breaker of each endpoint.</summary>
internal sealed record CircuitBreakerSettingsView(
    double FailureRatio,
    int MinimumThroughput,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan SamplingDuration,
    [property: JsonConverter(typeof(GoDurationJsonConverter))] TimeSpan BreakDuration);

/// <summary>One endpoint as the router sees it now.</summary>
internal sealed record EndpointHealthView(
    string Endpoint,
    string State,
    string Circuit,
    DateTimeOffset? LastCheck,
    int ConsecutiveFailures,
    double? LatencyMs,
    string? LastError,
    int InFlight);

/// <summary>Invocations since the function's grain was activated on <c>silo</c>.</summary>
internal sealed record FunctionStatsView(
    DateTimeOffset Since,
    string Silo,
    long Invocations,
    IReadOnlyDictionary<string, long> Outcomes,
    long Retries,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    int InFlight,
    int Queued);

/// <summary><c>GET /admin/functions</c>: every registered function.</summary>
internal sealed record FunctionListView(int Count, IReadOnlyList<FunctionView> Functions);

/// <summary>A part that is off written as <c>false</c>, as the Go project's API shows it.</summary>
internal sealed class FalseWhenOffConverter<T> : JsonConverter<T>
    where T : class
{
    public override bool HandleNull => true;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.False ? null : JsonSerializer.Deserialize(ref reader, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));

    public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteBooleanValue(false);
        }
        else
        {
            JsonSerializer.Serialize(writer, value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        }
    }
}
