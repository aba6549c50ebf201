using System.Text.Json;
using SseVirtualization.Gateway.Functions;

namespace SseVirtualization.Gateway.Tests.Functions;

public sealed class FunctionRegistrationReaderTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(15);

    private static (SseVirtualization.Functions.FunctionDefinition? Definition, int? Status, string? Field) Read(string json, string? nameFromPath = null)
    {
        using var document = JsonDocument.Parse(json);
        var (definition, problem) = FunctionRegistrationReader.Read(document.RootElement, nameFromPath, DefaultTimeout, MaxTimeout);
        return (definition, problem?.StatusCode, problem?.ProblemDetails.Extensions.TryGetValue("field", out var field) == true ? (string?)field : null);
    }

    [Fact]
    public void Reads_the_go_originals_registration()
    {
        var (definition, _, _) = Read("""
            {"name":"my-function","endpoint":"https://fn.example/api/process","method":"POST","timeout":"30s",
             "description":"My awesome serverless function","headers":{"Authorization":"Bearer token"}}
            """);

        Assert.NotNull(definition);
        Assert.Equal("my-function", definition.Name);
        Assert.Equal([new Uri("https://fn.example/api/process")], definition.Endpoints);
        Assert.Equal(TimeSpan.FromSeconds(30), definition.Timeout);
        Assert.Equal("Bearer token", definition.Headers["authorization"]);
    }

    [Fact]
    public void Defaults_method_and_timeout()
    {
        var (definition, _, _) = Read("""{"name":"f","endpoint":"http://127.0.0.1:9/x"}""");

        Assert.Equal("POST", definition!.Method);
        Assert.Equal(DefaultTimeout, definition.Timeout);
        Assert.Empty(definition.Headers);
    }

    [Fact]
    public void Accepts_a_timeout_in_nanoseconds_as_the_go_code_reads_it()
    {
        var (definition, _, _) = Read("""{"name":"f","endpoint":"http://127.0.0.1:9/x","timeout":2500000000}""");

        Assert.Equal(TimeSpan.FromMilliseconds(2500), definition!.Timeout);
    }

    [Theory]
    [InlineData("""{"endpoint":"http://a/"}""", "name")]
    [InlineData("""{"name":"a/b","endpoint":"http://a/"}""", "name")]
    [InlineData("""{"name":"f"}""", "endpoint")]
    [InlineData("""{"name":"f","endpoint":"mailto:x@y"}""", "endpoint")]
    [InlineData("""{"name":"f","endpoint":"http://a/","timeout":"0s"}""", "timeout")]
    [InlineData("""{"name":"f","endpoint":"http://a/","timeout":"15m1s"}""", "timeout")]
    [InlineData("""{"name":"f","endpoint":"http://a/","method":"TRACE"}""", "method")]
    [InlineData("""{"name":"f","endpoint":"http://a/","description":5}""", "description")]
    [InlineData("""{"name":".","endpoint":"http://a/"}""", "name")]
    [InlineData("""{"name":"..","endpoint":"http://a/"}""", "name")]
    [InlineData("""{"name":"f","endpoint":"http://a/","headers":{"Bad Header":"x"}}""", "headers.Bad Header")]
    [InlineData("""{"name":"f","endpoint":"http://a/","headers":{"X":"a\r\nInjected: 1"}}""", "headers.X")]
    [InlineData("""{"name":"f","endpoint":"http://a/","headers":{"X":"a\u0000b"}}""", "headers.X")]
    [InlineData("""{"name":"f","endpoint":"http://a/","headers":{"X":"caf\u00e9"}}""", "headers.X")]
    public void Rejects_bad_fields_naming_the_field(string json, string field)
    {
        var (definition, status, reported) = Read(json);

        Assert.Null(definition);
        Assert.Equal(400, status);
        Assert.Equal(field, reported);
    }

    [Fact]
    public void Name_in_the_body_may_not_contradict_the_url()
    {
        Assert.Equal("name", Read("""{"name":"g","endpoint":"http://a/"}""", nameFromPath: "f").Field);
        Assert.Equal("f", Read("""{"endpoint":"http://a/"}""", nameFromPath: "f").Definition!.Name);
    }

    [Fact]
    public void Keeps_a_tool_schema_as_given_including_json_schema_2020_12_keywords()
    {
        var (definition, _, _) = Read("""
            {"name":"t","endpoint":"http://127.0.0.1:9/x",
             "input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                             "$defs":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}},"additionalProperties":false},
             "output_schema":{"type":"object"}}
            """);

        using var schema = JsonDocument.Parse(definition!.InputSchemaJson!);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        Assert.Equal("#/$defs/a", schema.RootElement.GetProperty("properties").GetProperty("x").GetProperty("$ref").GetString());
        Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal("""{"type":"object"}""", definition.OutputSchemaJson);
        Assert.Equal("http", definition.Kind);
    }

    [Theory]
    [InlineData("""{"name":"t","endpoint":"http://127.0.0.1:9/x","input_schema":"object"}""", "input_schema")]
    [InlineData("""{"name":"t","endpoint":"http://127.0.0.1:9/x","input_schema":{"type":"string"}}""", "input_schema")]
    [InlineData("""{"name":"t","endpoint":"http://127.0.0.1:9/x","input_schema":{"properties":{}}}""", "input_schema")]
    [InlineData("""{"name":"t","endpoint":"http://127.0.0.1:9/x","output_schema":[]}""", "output_schema")]
    [InlineData("""{"name":"t","endpoint":"http://127.0.0.1:9/x","kind":"grpc"}""", "kind")]
    [InlineData("""{"name":"t","endpoints":["http://127.0.0.1:9/a","http://127.0.0.1:9/b"],"kind":"mcp"}""", "endpoint")]
    [InlineData("""{"name":"t","endpoint":"http://127.0.0.1:9/mcp","kind":"mcp","input_schema":{"type":"object"}}""", "input_schema")]
    public void Refuses_bad_tool_fields_naming_them(string json, string field)
    {
        var (definition, status, problemField) = Read(json);

        Assert.Null(definition);
        Assert.Equal(400, status);
        Assert.Equal(field, problemField);
    }

    [Fact]
    public void Reads_a_remote_mcp_server_registration()
    {
        var (definition, _, _) = Read("""{"name":"remote","kind":"mcp","endpoint":"https://mcp.example/mcp","headers":{"Authorization":"Bearer k"}}""");

        Assert.True(definition!.IsMcpServer);
        Assert.Null(definition.InputSchemaJson);
    }
}
