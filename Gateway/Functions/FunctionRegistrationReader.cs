using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// Turns a registration body (<c>{"name","endpoint"|"endpoints","method","timeout","description","headers"}</c> and
/// the routing fields of <see cref="FunctionRoutingReader"/>) into a <see cref="FunctionDefinition"/>, or the 400
/// that says which field is wrong. docs/functions.md describes the schema.
/// </summary>
internal static class FunctionRegistrationReader
{
    public const int MaxEndpoints = 32;

    /// <summary>The longest input or output schema accepted, in characters.</summary>
    public const int MaxSchemaChars = 32 * 1024;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <param name="body">The request body, a JSON object.</param>
    /// <param name="nameFromPath">The name in the URL (PUT), which the body may repeat but not contradict.</param>
    /// <param name="defaultTimeout">Timeout of a registration that gives none.</param>
    /// <param name="maxTimeout">The longest timeout accepted.</param>
    public static (FunctionDefinition? Definition, ProblemHttpResult? Problem) Read(
        JsonElement body, string? nameFromPath, TimeSpan defaultTimeout, TimeSpan maxTimeout)
    {
        string? name = nameFromPath;
        if (body.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
        {
            if (nameElement.ValueKind != JsonValueKind.String)
            {
                return Fail("name", "'name' must be a string.");
            }

            var bodyName = nameElement.GetString();
            if (nameFromPath is not null && !string.Equals(bodyName, nameFromPath, StringComparison.Ordinal))
            {
                return Fail("name", $"'name' in the body ('{bodyName}') differs from the name in the URL ('{nameFromPath}').");
            }

            name = bodyName;
        }

        if (string.IsNullOrEmpty(name))
        {
            return Fail("name", "'name' is required.");
        }

        if (!Names.IsValidFunctionName(name))
        {
            return Fail("name", $"'name' must match {Names.FunctionNameRule}.");
        }

        var (endpoints, endpointProblem) = ReadEndpoints(body);
        if (endpointProblem is not null)
        {
            return (null, endpointProblem);
        }

        var method = "POST";
        if (body.TryGetProperty("method", out var methodElement) && methodElement.ValueKind != JsonValueKind.Null)
        {
            if (methodElement.ValueKind != JsonValueKind.String
                || Array.IndexOf(Methods, methodElement.GetString()!.ToUpperInvariant()) < 0)
            {
                return Fail("method", $"'method' must be one of {string.Join(", ", Methods)}.");
            }

            method = methodElement.GetString()!.ToUpperInvariant();
        }

        var timeout = defaultTimeout;
        if (body.TryGetProperty("timeout", out var timeoutElement) && timeoutElement.ValueKind != JsonValueKind.Null)
        {
            if (!TryReadTimeout(timeoutElement, out timeout))
            {
                return Fail("timeout", "'timeout' must be a duration such as \"30s\", \"500ms\" or \"2m\", or an integer of nanoseconds.");
            }

            if (timeout <= TimeSpan.Zero || timeout > maxTimeout)
            {
                return Fail("timeout", $"'timeout' must be more than 0 and at most {GoDuration.Format(maxTimeout)}.");
            }
        }

        var description = string.Empty;
        if (body.TryGetProperty("description", out var descriptionElement) && descriptionElement.ValueKind != JsonValueKind.Null)
        {
            if (descriptionElement.ValueKind != JsonValueKind.String)
            {
                return Fail("description", "'description' must be a string.");
            }

            description = descriptionElement.GetString()!;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (body.TryGetProperty("headers", out var headersElement) && headersElement.ValueKind != JsonValueKind.Null)
        {
            if (headersElement.ValueKind != JsonValueKind.Object)
            {
                return Fail("headers", "'headers' must be an object of string values.");
            }

            foreach (var header in headersElement.EnumerateObject())
            {
                if (header.Value.ValueKind != JsonValueKind.String)
                {
                    return Fail("headers", $"header '{header.Name}' must have a string value.");
                }

                // Refused here rather than at every call: the HTTP client cannot send them.
                if (!IsToken(header.Name))
                {
                    return Fail("headers." + header.Name, $"header name '{header.Name}' is not an HTTP token (ASCII letters, digits and !#$%&'*+-.^_`|~).");
                }

                if (!IsFieldValue(header.Value.GetString()!))
                {
                    return Fail("headers." + header.Name, $"header '{header.Name}' has a value with a control character (NUL, CR, LF, ...) or a non-ASCII character.");
                }

                headers[header.Name] = header.Value.GetString()!;
            }
        }

        var (routing, routingProblem) = FunctionRoutingReader.Read(body);
        if (routingProblem is not null)
        {
            return (null, routingProblem);
        }

        var kind = FunctionDefinition.HttpKind;
        if (body.TryGetProperty("kind", out var kindElement) && kindElement.ValueKind != JsonValueKind.Null)
        {
            kind = kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString()! : string.Empty;
            if (kind is not (FunctionDefinition.HttpKind or FunctionDefinition.McpKind))
            {
                return Fail("kind", "'kind' must be \"http\" (a serverless HTTP function) or \"mcp\" (a remote MCP server).");
            }

            if (kind == FunctionDefinition.McpKind && endpoints!.Count != 1)
            {
                return Fail("endpoint", "An MCP server registration has exactly one 'endpoint': its Streamable HTTP URL.");
            }
        }

        var (inputSchema, inputProblem) = ReadSchema(body, "input_schema");
        if (inputProblem is not null)
        {
            return (null, inputProblem);
        }

        var (outputSchema, outputProblem) = ReadSchema(body, "output_schema");
        if (outputProblem is not null)
        {
            return (null, outputProblem);
        }

        if (kind == FunctionDefinition.McpKind && (inputSchema ?? outputSchema) is not null)
        {
            return Fail("input_schema", "An MCP server describes its own tools; 'input_schema' and 'output_schema' belong to HTTP functions.");
        }

        var (tools, toolsProblem) = McpToolShapingReader.Read(body, kind);
        if (toolsProblem is not null)
        {
            return (null, toolsProblem);
        }

        var (toolRateLimit, rateLimitProblem) = ToolRateLimitReader.Read(body);
        if (rateLimitProblem is not null)
        {
            return (null, rateLimitProblem);
        }

        return (new FunctionDefinition(name, endpoints!, method, timeout, description, headers, routing!, kind, inputSchema, outputSchema, tools, toolRateLimit), null);
    }

    /// <summary>
    /// A tool schema: a JSON Schema object whose <c>type</c> is <c>"object"</c> (what MCP requires of inputSchema
    /// and outputSchema), kept as compact JSON.
    /// </summary>
    private static (string?, ProblemHttpResult?) ReadSchema(JsonElement body, string field)
    {
        if (!body.TryGetProperty(field, out var schema) || schema.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (schema.ValueKind != JsonValueKind.Object
            || !schema.TryGetProperty("type", out var type)
            || type.ValueKind != JsonValueKind.String
            || type.GetString() != "object")
        {
            return (null, Problems.Invalid(field, $"'{field}' must be a JSON Schema object with \"type\": \"object\"."));
        }

        var json = schema.GetRawText();
        return json.Length > MaxSchemaChars
            ? (null, Problems.Invalid(field, $"'{field}' is longer than {MaxSchemaChars} characters."))
            : (System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(), null);
    }

    /// <summary><c>"endpoint": url</c> (the Go project's form) or <c>"endpoints": [url, ...]</c>, not both.</summary>
    private static (IReadOnlyList<Uri>?, ProblemHttpResult?) ReadEndpoints(JsonElement body)
    {
        var hasOne = body.TryGetProperty("endpoint", out var one) && one.ValueKind != JsonValueKind.Null;
        var hasMany = body.TryGetProperty("endpoints", out var many) && many.ValueKind != JsonValueKind.Null;
        if (hasOne && hasMany)
        {
            return (null, Problems.Invalid("endpoints", "Give either 'endpoint' or 'endpoints', not both."));
        }

        if (hasOne)
        {
            return TryEndpoint(one, out var endpoint)
                ? (new List<Uri> { endpoint }, null)
                : (null, Problems.Invalid("endpoint", "'endpoint' must be an absolute http:// or https:// URL."));
        }

        if (!hasMany)
        {
            return (null, Problems.Invalid("endpoint", "'endpoint' (or 'endpoints') is required."));
        }

        if (many.ValueKind != JsonValueKind.Array || many.GetArrayLength() is 0 or > MaxEndpoints)
        {
            return (null, Problems.Invalid("endpoints", $"'endpoints' must be an array of 1 to {MaxEndpoints} URLs."));
        }

        var endpoints = new List<Uri>();
        foreach (var element in many.EnumerateArray())
        {
            if (!TryEndpoint(element, out var endpoint))
            {
                return (null, Problems.Invalid("endpoints", $"'endpoints[{endpoints.Count}]' must be an absolute http:// or https:// URL."));
            }

            if (endpoints.Contains(endpoint))
            {
                return (null, Problems.Invalid("endpoints", $"'endpoints[{endpoints.Count}]' repeats an earlier endpoint."));
            }

            endpoints.Add(endpoint);
        }

        return (endpoints, null);
    }

    private static bool TryEndpoint(JsonElement element, out Uri endpoint)
    {
        endpoint = null!;
        return element.ValueKind == JsonValueKind.String
            && Uri.TryCreate(element.GetString(), UriKind.Absolute, out endpoint!)
            && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(endpoint.Host)
            && string.IsNullOrEmpty(endpoint.UserInfo);
    }

    /// <summary>A Go-style duration string or an integer of nanoseconds (what the Go project's code reads).</summary>
    public static bool TryReadTimeout(JsonElement element, out TimeSpan timeout)
    {
        timeout = default;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return GoDuration.TryParse(element.GetString()!, out timeout);
            case JsonValueKind.Number when element.TryGetInt64(out var nanoseconds):
                timeout = TimeSpan.FromTicks(nanoseconds / 100);
                return true;
            default:
                return false;
        }
    }

    private static bool IsToken(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c > 0x7e || c <= 0x20 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Visible ASCII, spaces and tabs: what a header value may hold and the HTTP client sends as given.</summary>
    private static bool IsFieldValue(string value)
    {
        foreach (var c in value)
        {
            if (c is (< ' ' and not '\t') or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static (FunctionDefinition?, ProblemHttpResult?) Fail(string field, string detail) => (null, Problems.Invalid(field, detail));
}
