using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The body of <c>POST /admin/functions</c> and <c>PUT /admin/functions/{name}</c>, as docs/functions.md describes it.
/// Every field may be left out for its default, and <c>null</c> means left out. The rules that need the
/// <c>Functions</c> configuration (the default and longest timeout) are applied by <see cref="FunctionRegistrationReader"/>.
/// </summary>
internal sealed record FunctionRegistrationRequest : IValidatableObject
{
    public const int MaxEndpoints = 32;

    /// <summary>The longest input or output schema accepted, in characters.</summary>
    public const int MaxSchemaChars = 32 * 1024;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Unique name, <c>[A-Za-z0-9_.-]{1,64}</c>; on PUT it may repeat the name in the URL but not contradict it.</summary>
    public string? Name { get; init; }

    /// <summary>The one endpoint (the Go project's form); give this or <c>endpoints</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>1 to 32 absolute http(s) URLs that each serve the function.</summary>
    public IReadOnlyList<string?>? Endpoints { get; init; }

    /// <summary>GET, POST (the default), PUT, PATCH or DELETE.</summary>
    public string? Method { get; init; }

    /// <summary>A Go duration (<c>"30s"</c>) or an integer of nanoseconds; the configured default when left out.</summary>
    [JsonConverter(typeof(GoTimeoutJsonConverter))]
    public TimeSpan? Timeout { get; init; }

    /// <summary>Free text shown in listings.</summary>
    public string? Description { get; init; }

    /// <summary>Headers sent on every call (never returned: they often hold secrets).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary><c>http</c> (a serverless HTTP function, the default) or <c>mcp</c> (a remote MCP server).</summary>
    public string? Kind { get; init; }

    /// <summary>JSON Schema (<c>"type": "object"</c>) of the payload; when set, the function is also an MCP tool.</summary>
    public JsonElement? InputSchema { get; init; }

    /// <summary>JSON Schema (<c>"type": "object"</c>) of the answer.</summary>
    public JsonElement? OutputSchema { get; init; }

    /// <summary>For a remote MCP server: which of its tools are offered, and under what names.</summary>
    public McpToolShapingBody? Tools { get; init; }

    /// <summary>How often one caller may call each MCP tool of this registration.</summary>
    public ToolRateLimitBody? ToolRateLimit { get; init; }

    /// <summary><c>round_robin</c> (the default), <c>least_outstanding</c> or <c>random</c>.</summary>
    public string? LoadBalancing { get; init; }

    /// <summary>Active health checks: <c>true</c> for the defaults, <c>false</c> (the default) for none, or the settings.</summary>
    [JsonConverter(typeof(HealthCheckToggleConverter))]
    public HealthCheckBody? HealthCheck { get; init; }

    /// <summary>Retries of transient failures: <c>false</c> for none, or the settings.</summary>
    [JsonConverter(typeof(RetryToggleConverter))]
    public RetryBody? Retry { get; init; }

    /// <summary>A circuit breaker per endpoint: <c>false</c> for none, or the settings.</summary>
    [JsonConverter(typeof(CircuitBreakerToggleConverter))]
    public CircuitBreakerBody? CircuitBreaker { get; init; }

    /// <summary>Calls in flight at once across the cluster; 0 for no limit.</summary>
    [Range(0, 10_000, ErrorMessage = "'max_concurrency' must be an integer from 0 (no limit) to 10000.")]
    public int? MaxConcurrency { get; init; }

    /// <summary>Calls that may wait for a free slot when <c>max_concurrency</c> is reached.</summary>
    [Range(0, 100_000, ErrorMessage = "'max_queue' must be an integer from 0 to 100000.")]
    public int? MaxQueue { get; init; }

    /// <summary>The body's endpoints, or null when they break a rule (which <see cref="Validate"/> reports).</summary>
    [JsonIgnore]
    public IReadOnlyList<Uri>? EndpointUris => Endpoint is not null
        ? TryEndpoint(Endpoint, out var one) ? [one] : null
        : Endpoints?.Select(e => TryEndpoint(e, out var uri) ? uri : null).ToList() is { } many && many.All(u => u is not null) ? many.OfType<Uri>().ToList() : null;

    /// <summary>The rules that need nothing but the body itself, in the order they were always checked.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in ValidateEndpoints())
        {
            yield return result;
        }

        if (Method is not null && Array.IndexOf(Methods, Method.ToUpperInvariant()) < 0)
        {
            yield return Invalid("method", $"'method' must be one of {string.Join(", ", Methods)}.");
        }

        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            if (value is null)
            {
                yield return Invalid("headers", $"header '{name}' must have a string value.");
            }
            else if (!IsToken(name)) // refused here rather than at every call: the HTTP client cannot send them
            {
                yield return Invalid("headers." + name, $"header name '{name}' is not an HTTP token (ASCII letters, digits and !#$%&'*+-.^_`|~).");
            }
            else if (!IsFieldValue(value))
            {
                yield return Invalid("headers." + name, $"header '{name}' has a value with a control character (NUL, CR, LF, ...) or a non-ASCII character.");
            }
        }

        if (LoadBalancing is not (null or "round_robin" or "least_outstanding" or "random"))
        {
            yield return Invalid("load_balancing", "'load_balancing' must be \"round_robin\", \"least_outstanding\" or \"random\".");
        }

        foreach (var result in BodyValidation.Nested(HealthCheck, "health_check").Concat(BodyValidation.Nested(Retry, "retry")).Concat(BodyValidation.Nested(CircuitBreaker, "circuit_breaker")))
        {
            yield return result;
        }

        if (Kind is not (null or FunctionDefinition.HttpKind or FunctionDefinition.McpKind))
        {
            yield return Invalid("kind", "'kind' must be \"http\" (a serverless HTTP function) or \"mcp\" (a remote MCP server).");
        }
        else if (IsMcp && EndpointUris is { Count: not 1 })
        {
            yield return Invalid("endpoint", "An MCP server registration has exactly one 'endpoint': its Streamable HTTP URL.");
        }

        foreach (var (field, schema) in new[] { ("input_schema", InputSchema), ("output_schema", OutputSchema) })
        {
            if (schema is { ValueKind: not JsonValueKind.Null } given)
            {
                if (given.ValueKind != JsonValueKind.Object || !given.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object")
                {
                    yield return Invalid(field, $"'{field}' must be a JSON Schema object with \"type\": \"object\".");
                }
                else if (given.GetRawText().Length > MaxSchemaChars)
                {
                    yield return Invalid(field, $"'{field}' is longer than {MaxSchemaChars} characters.");
                }
            }
        }

        if (IsMcp && (InputSchema ?? OutputSchema) is { ValueKind: not JsonValueKind.Null })
        {
            yield return Invalid("input_schema", "An MCP server describes its own tools; 'input_schema' and 'output_schema' belong to HTTP functions.");
        }

        if (Tools is not null && !IsMcp)
        {
            yield return Invalid(McpToolShapingBody.Field, "'tools' shapes the tools of a remote MCP server (\"kind\": \"mcp\"); an HTTP function is one tool, described by 'input_schema'.");
        }

        foreach (var result in BodyValidation.Nested(Tools, McpToolShapingBody.Field).Concat(BodyValidation.Nested(ToolRateLimit, ToolRateLimitBody.Field)))
        {
            yield return result;
        }
    }

    private bool IsMcp => Kind == FunctionDefinition.McpKind;

    /// <summary><c>"endpoint": url</c> (the Go project's form) or <c>"endpoints": [url, ...]</c>, not both.</summary>
    private IEnumerable<ValidationResult> ValidateEndpoints()
    {
        if (Endpoint is not null && Endpoints is not null)
        {
            yield return Invalid("endpoints", "Give either 'endpoint' or 'endpoints', not both.");
        }
        else if (Endpoint is not null)
        {
            if (!TryEndpoint(Endpoint, out _))
            {
                yield return Invalid("endpoint", "'endpoint' must be an absolute http:// or https:// URL.");
            }
        }
        else if (Endpoints is null)
        {
            yield return Invalid("endpoint", "'endpoint' (or 'endpoints') is required.");
        }
        else if (Endpoints.Count is 0 or > MaxEndpoints)
        {
            yield return Invalid("endpoints", $"'endpoints' must be an array of 1 to {MaxEndpoints} URLs.");
        }
        else
        {
            var seen = new List<Uri>();
            foreach (var text in Endpoints)
            {
                if (!TryEndpoint(text, out var endpoint))
                {
                    yield return Invalid("endpoints", $"'endpoints[{seen.Count}]' must be an absolute http:// or https:// URL.");
                    yield break;
                }

                if (seen.Contains(endpoint))
                {
                    yield return Invalid("endpoints", $"'endpoints[{seen.Count}]' repeats an earlier endpoint.");
                    yield break;
                }

                seen.Add(endpoint);
            }
        }
    }

    private static bool TryEndpoint(string? text, out Uri endpoint)
    {
        endpoint = null!;
        return Uri.TryCreate(text, UriKind.Absolute, out endpoint!)
            && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(endpoint.Host)
            && string.IsNullOrEmpty(endpoint.UserInfo);
    }

    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c is > ' ' and <= '~' && !"()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal));

    /// <summary>Visible ASCII, spaces and tabs: what a header value may hold and the HTTP client sends as given.</summary>
    private static bool IsFieldValue(string value) => value.All(c => c is (>= ' ' or '\t') and <= '~');

    private static ValidationResult Invalid(string field, string detail) => new(detail, [field]);
}
