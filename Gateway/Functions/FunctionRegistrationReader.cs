using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// A validated <see cref="FunctionRegistrationRequest"/> to the contract's <see cref="FunctionDefinition"/>, with the
/// rules that need more than the body: the name in the URL and the configured timeouts.
/// </summary>
internal static class FunctionRegistrationReader
{
    /// <summary>A parsed body to a definition, or the 400 naming the field at fault.</summary>
    public static (FunctionDefinition? Definition, ProblemHttpResult? Problem) Read(
        JsonElement body, string? nameFromPath, TimeSpan defaultTimeout, TimeSpan maxTimeout)
    {
        var (request, problem) = JsonBody.Deserialize(body, GatewayJsonContext.Default.FunctionRegistrationRequest);
        return problem is not null ? (null, problem) : ToDefinition(request!, nameFromPath, defaultTimeout, maxTimeout);
    }

    /// <param name="request">The validated body.</param>
    /// <param name="nameFromPath">The name in the URL (PUT), which the body may repeat but not contradict.</param>
    /// <param name="defaultTimeout">Timeout of a registration that gives none.</param>
    /// <param name="maxTimeout">The longest timeout accepted.</param>
    public static (FunctionDefinition? Definition, ProblemHttpResult? Problem) ToDefinition(
        FunctionRegistrationRequest request, string? nameFromPath, TimeSpan defaultTimeout, TimeSpan maxTimeout)
    {
        if (nameFromPath is not null && request.Name is not null && !string.Equals(request.Name, nameFromPath, StringComparison.Ordinal))
        {
            return Fail("name", $"'name' in the body ('{request.Name}') differs from the name in the URL ('{nameFromPath}').");
        }

        var name = request.Name ?? nameFromPath;
        if (string.IsNullOrEmpty(name))
        {
            return Fail("name", "'name' is required.");
        }

        if (!Names.IsValidFunctionName(name))
        {
            return Fail("name", $"'name' must match {Names.FunctionNameRule}.");
        }

        var timeout = request.Timeout ?? defaultTimeout;
        if (timeout <= TimeSpan.Zero || timeout > maxTimeout)
        {
            return Fail("timeout", $"'timeout' must be more than 0 and at most {GoDuration.Format(maxTimeout)}.");
        }

        var defaults = FunctionRouting.Default;
        var routing = new FunctionRouting(
            request.LoadBalancing switch
            {
                "least_outstanding" => LoadBalancingPolicy.LeastOutstanding,
                "random" => LoadBalancingPolicy.Random,
                _ => LoadBalancingPolicy.RoundRobin,
            },
            request.HealthCheck?.ToSettings(),
            request.Retry?.ToSettings() ?? defaults.Retry,
            request.CircuitBreaker is { } breaker ? breaker.ToSettings() : defaults.CircuitBreaker,
            request.MaxConcurrency ?? defaults.MaxConcurrency,
            request.MaxQueue ?? defaults.MaxQueue);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (header, value) in request.Headers ?? new Dictionary<string, string>())
        {
            headers[header] = value;
        }

        return (new FunctionDefinition(
            name,
            request.EndpointUris!,
            request.Method?.ToUpperInvariant() ?? "POST",
            timeout,
            request.Description ?? string.Empty,
            headers,
            routing,
            request.Kind ?? FunctionDefinition.HttpKind,
            Compact(request.InputSchema),
            Compact(request.OutputSchema),
            request.Tools?.ToShaping(),
            request.ToolRateLimit?.ToLimit()), null);
    }

    /// <summary>A schema kept as compact JSON.</summary>
    private static string? Compact(JsonElement? schema) =>
        schema is { ValueKind: JsonValueKind.Object } given ? JsonSerializer.Serialize(given, GatewayJsonContext.Default.JsonElement) : null;

    private static (FunctionDefinition?, ProblemHttpResult?) Fail(string field, string detail) => (null, Problems.Invalid(field, detail));
}
