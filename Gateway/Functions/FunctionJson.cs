using System.Text.Json;
using SseVirtualization.Functions;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The wire form of a stored function. Header values and endpoint query values are never returned, only their names
/// (the grain hands out redacted registrations; redacting again here keeps it so whatever the grain gives).
/// </summary>
internal static class FunctionJson
{
    public const string Redacted = "[redacted]";

    /// <param name="writer">Where to write.</param>
    /// <param name="function">The registration.</param>
    /// <param name="status">The active grain's endpoint health and statistics, written as <c>health</c> and <c>stats</c>.</param>
    public static void Write(Utf8JsonWriter writer, RegisteredFunction function, FunctionStatus? status = null)
    {
        var definition = function.Definition;
        var routing = definition.Routing;
        writer.WriteStartObject();
        writer.WriteString("name", definition.Name);
        writer.WriteString("endpoint", EndpointRedaction.Redact(definition.Endpoints[0]).OriginalString);
        writer.WriteStartArray("endpoints");
        foreach (var endpoint in definition.Endpoints)
        {
            writer.WriteStringValue(EndpointRedaction.Redact(endpoint).OriginalString);
        }

        writer.WriteEndArray();
        writer.WriteString("method", definition.Method);
        writer.WriteString("timeout", GoDuration.Format(definition.Timeout));
        writer.WriteNumber("timeout_ms", (long)definition.Timeout.TotalMilliseconds);
        writer.WriteString("description", definition.Description);
        writer.WriteString("kind", definition.Kind ?? FunctionDefinition.HttpKind);
        WriteSchema(writer, "input_schema", definition.InputSchemaJson);
        WriteSchema(writer, "output_schema", definition.OutputSchemaJson);
        if (definition.Tools is { } tools)
        {
            WriteToolShaping(writer, tools);
        }

        if (definition.ToolRateLimit is { } limit)
        {
            writer.WriteStartObject("tool_rate_limit");
            writer.WriteNumber("permits", limit.Permits);
            writer.WriteString("window", GoDuration.Format(limit.Window));
            writer.WriteEndObject();
        }
        writer.WriteStartObject("headers");
        foreach (var name in definition.Headers.Keys)
        {
            writer.WriteString(name, Redacted);
        }

        writer.WriteEndObject();
        WriteRouting(writer, routing);
        writer.WriteString("created_at", function.CreatedAt);
        writer.WriteString("updated_at", function.UpdatedAt);
        writer.WriteBoolean("is_active", function.IsActive);
        if (status is not null)
        {
            WriteStatus(writer, status);
        }

        writer.WriteEndObject();
    }

    private static void WriteToolShaping(Utf8JsonWriter writer, McpToolShaping tools)
    {
        writer.WriteStartObject("tools");
        if (tools.Include is not null)
        {
            WriteNames(writer, "include", tools.Include);
        }

        WriteNames(writer, "exclude", tools.Exclude);
        writer.WriteStartObject("rename");
        foreach (var (upstream, shown) in tools.Rename)
        {
            writer.WriteString(upstream, shown);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter writer, string name, IReadOnlyList<string> names)
    {
        writer.WriteStartArray(name);
        foreach (var item in names)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    private static void WriteSchema(Utf8JsonWriter writer, string name, string? schemaJson)
    {
        if (schemaJson is not null)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(schemaJson, skipInputValidation: true);
        }
    }

    private static void WriteRouting(Utf8JsonWriter writer, FunctionRouting routing)
    {
        writer.WriteString("load_balancing", routing.LoadBalancing switch
        {
            LoadBalancingPolicy.LeastOutstanding => "least_outstanding",
            LoadBalancingPolicy.Random => "random",
            _ => "round_robin",
        });
        if (routing.HealthCheck is { } health)
        {
            writer.WriteStartObject("health_check");
            writer.WriteString("path", health.Path);
            writer.WriteString("interval", GoDuration.Format(health.Interval));
            writer.WriteString("timeout", GoDuration.Format(health.Timeout));
            writer.WriteNumber("unhealthy_threshold", health.UnhealthyThreshold);
            writer.WriteNumber("healthy_threshold", health.HealthyThreshold);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteBoolean("health_check", false);
        }

        writer.WriteStartObject("retry");
        writer.WriteNumber("max_retries", routing.Retry.MaxRetries);
        writer.WriteString("base_delay", GoDuration.Format(routing.Retry.BaseDelay));
        writer.WriteString("max_delay", GoDuration.Format(routing.Retry.MaxDelay));
        writer.WriteEndObject();
        if (routing.CircuitBreaker is { } breaker)
        {
            writer.WriteStartObject("circuit_breaker");
            writer.WriteNumber("failure_ratio", breaker.FailureRatio);
            writer.WriteNumber("minimum_throughput", breaker.MinimumThroughput);
            writer.WriteString("sampling_duration", GoDuration.Format(breaker.SamplingDuration));
            writer.WriteString("break_duration", GoDuration.Format(breaker.BreakDuration));
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteBoolean("circuit_breaker", false);
        }

        writer.WriteNumber("max_concurrency", routing.MaxConcurrency);
        writer.WriteNumber("max_queue", routing.MaxQueue);
    }

    private static void WriteStatus(Utf8JsonWriter writer, FunctionStatus status)
    {
        writer.WriteStartArray("health");
        foreach (var endpoint in status.Endpoints)
        {
            writer.WriteStartObject();
            writer.WriteString("endpoint", EndpointRedaction.Redact(endpoint.Url).OriginalString);
            writer.WriteString("state", endpoint.Health);
            writer.WriteString("circuit", endpoint.Circuit);
            WriteNullable(writer, "last_check", endpoint.LastCheck);
            writer.WriteNumber("consecutive_failures", endpoint.ConsecutiveFailures);
            WriteNullable(writer, "latency_ms", endpoint.LastCheckLatencyMs);
            if (endpoint.LastCheckError is null)
            {
                writer.WriteNull("last_error");
            }
            else
            {
                writer.WriteString("last_error", endpoint.LastCheckError);
            }

            writer.WriteNumber("in_flight", endpoint.Outstanding);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        var statistics = status.Statistics;
        writer.WriteStartObject("stats");
        writer.WriteString("since", status.Since);
        writer.WriteString("silo", status.Silo);
        writer.WriteNumber("invocations", statistics.Invocations);
        writer.WriteStartObject("outcomes");
        foreach (var (outcome, count) in statistics.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(outcome, count);
        }

        writer.WriteEndObject();
        writer.WriteNumber("retries", statistics.Retries);
        WriteNullable(writer, "latency_p50_ms", statistics.LatencyP50Ms);
        WriteNullable(writer, "latency_p99_ms", statistics.LatencyP99Ms);
        writer.WriteNumber("in_flight", status.InFlight);
        writer.WriteNumber("queued", status.Queued);
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, Math.Round(number, 3));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } at)
        {
            writer.WriteString(name, at);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
