using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SseVirtualization.Gateway.Hosting;

/// <summary>
/// What <c>/openapi/v1.json</c> says beyond what the handlers' signatures show: bodies read by <c>JsonBody</c> (which
/// answers 415/413/400 itself, so they are not framework-bound), the problem+json errors, event streams, the security
/// schemes and which operations need them.
/// </summary>
internal static class OpenApiDescription
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";
    private const string ProblemJson = "application/problem+json";

    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["Functions"] = "Register, read, update and remove functions (docs/functions.md).",
        ["Invocation"] = "Call functions: a result, an async result on the client's stream, or events.",
        ["Streams"] = "Clients' server-sent event streams.",
        ["Access"] = "Tokens for clients and the browser's admin session.",
        ["Cluster"] = "The cluster's health and connections.",
        ["McpStreamableEndpoints"] = "MCP over Streamable HTTP (docs/mcp.md).",
        ["McpLegacyEndpoints"] = "MCP over the 2024-11-05 HTTP+SSE transport (docs/mcp.md).",
        ["McpHostingExtensions"] = "OAuth protected resource metadata (RFC 9728) for MCP clients.",
    };

    /// <summary>
    /// A JSON request body of <typeparamref name="T"/>, named in the document's components (so a generated client has one
    /// type for it), and the 400/413/415 a body can get.
    /// </summary>
    /// <remarks>
    /// Not <c>Accepts&lt;T&gt;()</c>: its metadata makes routing answer a body of another media type with a bare 415 before
    /// the handler, whose <see cref="Http.JsonBody"/> answers it with a problem that says what to send.
    /// </remarks>
    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder endpoint, bool required = true) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var id = typeof(T).Name;
            context.Document!.AddComponent(id, await context.GetOrCreateSchemaAsync(typeof(T), cancellationToken: cancellationToken));
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(id, context.Document) } },
            };
        });

    /// <summary>A <c>text/event-stream</c> answer with <paramref name="status"/>.</summary>
    public static RouteHandlerBuilder EventStream(this RouteHandlerBuilder endpoint, int status = StatusCodes.Status200OK, string description = "A stream of server-sent events.") =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var response) || response is not OpenApiResponse answer)
            {
                answer = new OpenApiResponse { Description = description };
                operation.Responses[key] = answer;
            }

            answer.Content ??= new Dictionary<string, OpenApiMediaType>();
            answer.Content["text/event-stream"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            return Task.CompletedTask;
        });

    /// <summary>
    /// Declares both schemes (an API key in <c>X-Api-Key</c>, a bearer JWT from <c>/admin/tokens</c>) and requires one of
    /// them on every operation but the public ones.
    /// </summary>
    public static OpenApiOptions DescribeSecurity(this OpenApiOptions options) => options
        .AddDocumentTransformer((document, _, _) =>
        {
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/'); // the request's base, which ASP.NET writes with a trailing slash
            }

            document.Info.Title = "SSE Virtualization Layer";
            document.Info.Description = "Server-sent event streams for many clients across a cluster, and serverless functions called through it.";
            document.Tags = new HashSet<OpenApiTag>(Tags.Select(tag => new OpenApiTag { Name = tag.Key, Description = tag.Value }));
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An API key from Security:ApiKeys (admin keys open /admin).",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from POST /admin/tokens; where no header can be set, its access_token query parameter.",
            };
            foreach (var (path, item) in document.Paths)
            {
                foreach (var (_, operation) in item.Operations ?? [])
                {
                    if (IsPublic(path))
                    {
                        operation.Security = [new OpenApiSecurityRequirement()]; // said, not forgotten: no credential needed
                        continue;
                    }

                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                    ];
                    operation.Responses ??= [];
                    AddProblem(document, operation, StatusCodes.Status401Unauthorized, "No valid credential.");
                    AddProblem(document, operation, StatusCodes.Status403Forbidden, "The credential does not grant this.");
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>Every 4xx/5xx answer is RFC 7807 problem+json: say so where the generator left the media type out.</summary>
    public static OpenApiOptions DescribeProblems(this OpenApiOptions options) => options
        .AddOperationTransformer((operation, _, _) =>
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status[0] is '4' or '5' && response is OpenApiResponse { Content: { } content } && !content.ContainsKey(ProblemJson)
                    && content.Remove("application/json", out var json))
                {
                    content[ProblemJson] = json;
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// Durations are written by converters the schema generator cannot see into: describe their wire forms. And name the
    /// operations mapped without a name (MCP's own), so that every operation has an id a client generator can use.
    /// </summary>
    public static OpenApiOptions DescribeWireForms(this OpenApiOptions options)
    {
        // Any JSON value (a payload, a result's data) is the empty schema where it is used, not a component named
        // JsonElement that generators turn into a class of that name.
        options.CreateSchemaReferenceId = type => (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(System.Text.Json.JsonElement)
            ? null
            : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        return options
            .AddSchemaTransformer((schema, context, _) =>
            {
                // The attribute, not the property's converter: for a TimeSpan? that is the serializer's nullable wrapper.
                var converter = (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(JsonConverterAttribute), inherit: false)
                    .FirstOrDefault() as JsonConverterAttribute)?.ConverterType;
                if (converter is not null && converter.IsAssignableTo(typeof(Http.GoDurationJsonConverter)))
                {
                    var nullable = context.JsonPropertyInfo!.PropertyType == typeof(TimeSpan?) ? JsonSchemaType.Null : 0;
                    schema.Type = converter == typeof(Http.GoTimeoutJsonConverter) ? JsonSchemaType.String | JsonSchemaType.Integer | nullable
                        : converter == typeof(Http.SecondsOrDurationJsonConverter) ? JsonSchemaType.String | JsonSchemaType.Number | nullable
                        : JsonSchemaType.String | nullable;
                    schema.Pattern = null;
                    schema.Format = null;
                }

                return Task.CompletedTask;
            })
            .AddOperationTransformer((operation, context, _) =>
            {
                operation.OperationId ??= OperationIdOf(context.Description.HttpMethod, context.Description.RelativePath);
                operation.Summary ??= $"{context.Description.HttpMethod} /{context.Description.RelativePath}: the Model Context Protocol (docs/mcp.md).";
                return Task.CompletedTask;
            });
    }

    /// <summary><c>GET</c> <c>.well-known/oauth-protected-resource/mcp</c> to <c>GetWellKnownOauthProtectedResourceMcp</c>.</summary>
    private static string OperationIdOf(string? method, string? path)
    {
        var id = new System.Text.StringBuilder(System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase((method ?? "get").ToLowerInvariant()));
        foreach (var word in (path ?? string.Empty).Split(['/', '.', '-', '{', '}'], StringSplitOptions.RemoveEmptyEntries))
        {
            id.Append(char.ToUpperInvariant(word[0])).Append(word[1..]);
        }

        return id.ToString();
    }

    /// <summary>The document's own <c>ProblemDetails</c>, so that every error is one type to a generated client.</summary>
    private static IOpenApiSchema ProblemSchema(OpenApiDocument document) =>
        document.Components?.Schemas?.ContainsKey(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails)) == true
            ? new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), document)
            : new OpenApiSchema { Type = JsonSchemaType.Object };

    private static bool IsPublic(string path) => path.StartsWith("/.well-known/", StringComparison.Ordinal);

    private static void AddProblem(OpenApiDocument document, OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.Responses!.ContainsKey(key))
        {
            operation.Responses[key] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = ProblemSchema(document) } },
            };
        }
    }
}
