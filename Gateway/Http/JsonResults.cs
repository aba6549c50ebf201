using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SseVirtualization.Gateway.Http;

/// <summary>Answers written with <see cref="Utf8JsonWriter"/>, for bodies whose shape is the wire format itself.</summary>
internal static class JsonResults
{
    public static IResult Write(int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return new Utf8JsonResult(statusCode, buffer.WrittenMemory);
    }

    private sealed class Utf8JsonResult(int statusCode, ReadOnlyMemory<byte> body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
