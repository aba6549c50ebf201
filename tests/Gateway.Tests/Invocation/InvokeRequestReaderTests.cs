using System.Text.Json;
using SseVirtualization.Gateway.Invocation;

namespace SseVirtualization.Gateway.Tests.Invocation;

public sealed class InvokeRequestReaderTests
{
    private static (SseVirtualization.Functions.InvocationRequest? Request, int? Status) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (request, problem) = InvokeRequestReader.Read(document.RootElement, TimeSpan.FromMinutes(15));
        return (request, problem?.StatusCode);
    }

    [Fact]
    public void Reads_the_go_originals_invocation()
    {
        var (request, _) = Read("""{"payload":{"message":"Hello, World!","data":[1,2,3]},"client_id":"client123","async":true,"timeout":60}""");

        Assert.NotNull(request);
        Assert.Equal("""{"message":"Hello, World!","data":[1,2,3]}""", request.PayloadJson);
        Assert.Equal("client123", request.ClientId);
        Assert.True(request.Async);
        Assert.Equal(TimeSpan.FromSeconds(60), request.Timeout);
        Assert.False(string.IsNullOrEmpty(request.RequestId));
    }

    [Fact]
    public void Missing_payload_is_sent_as_an_empty_object()
    {
        var (request, _) = Read("{}");

        Assert.Equal("{}", request!.PayloadJson);
        Assert.Null(request.ClientId);
        Assert.False(request.Async);
        Assert.Null(request.Timeout);
    }

    [Theory]
    [InlineData("""{"async":true}""")]
    [InlineData("""{"client_id":"has space"}""")]
    [InlineData("""{"async":1,"client_id":"c"}""")]
    [InlineData("""{"timeout":0}""")]
    [InlineData("""{"timeout":901}""")]
    [InlineData("""{"timeout":"later"}""")]
    public void Rejects_bad_fields(string json) => Assert.Equal(400, Read(json).Status);
}
