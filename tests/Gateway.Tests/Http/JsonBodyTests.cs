using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using SseVirtualization.Gateway.Http;
using SseVirtualization.Gateway.Invocation;

namespace SseVirtualization.Gateway.Tests.Http;

/// <summary>
/// <see cref="JsonBody.ReadAsync{T}"/> deserializes a body in one pass; every body it refuses must get the answer the
/// two-step read (parse, then deserialize the element) gives, word for word.
/// </summary>
public sealed class JsonBodyTests
{
    private const long Limit = 1024;

    public static TheoryData<string> Bodies => new()
    {
        "",
        "{}",
        """{"payload":{"a":[1,2,3]},"client_id":"c-1","async":true,"timeout":"30s"}""",
        "{",
        "{} trailing",
        "null",
        "[1,2]",
        "\"text\"",
        "42",
        """{"async":"yes"}""",
        """{"timeout":[1]}""",
        """{"client_id":7}""",
        """{"async":true}""",
        """{"client_id":"has space"}""",
        """{"stream":true}""",
        """{"payload":"\ud800"}""",
        """{"payload":"fine","extra":{"deep":[null,{}]}}""",
        new string(' ', 2000),
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task One_pass_answers_as_the_two_step_read_does(string body)
    {
        var (value, problem) = await JsonBody.ReadAsync(Request(body), Limit, GatewayJsonContext.Default.InvokeRequestBody, allowEmpty: true);
        var (expectedValue, expectedProblem) = await TwoStepAsync(body);

        Assert.Equal(expectedValue is null, value is null);
        Assert.Equal(Describe(expectedProblem), Describe(problem));
        if (expectedValue is not null)
        {
            Assert.Equal(expectedValue.ClientId, value!.ClientId);
            Assert.Equal(expectedValue.Async, value.Async);
            Assert.Equal(expectedValue.Timeout, value.Timeout);
            Assert.Equal(expectedValue.Payload.ValueKind, value.Payload.ValueKind);
        }
    }

    [Fact]
    public async Task Invalid_utf8_bytes_are_refused_as_not_text()
    {
        var context = Request(string.Empty);
        context.Request.Body = new MemoryStream([.. "{\"payload\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        context.Request.ContentLength = context.Request.Body.Length;

        var (_, problem) = await JsonBody.ReadAsync(context, Limit, GatewayJsonContext.Default.InvokeRequestBody);

        Assert.Equal(400, problem!.StatusCode);
        Assert.StartsWith("The request body is not valid", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    private static async Task<(InvokeRequestBody? Body, ProblemHttpResult? Problem)> TwoStepAsync(string body)
    {
        var (document, problem) = await JsonBody.ReadObjectAsync(Request(body), Limit, allowEmpty: true);
        if (problem is not null)
        {
            return (null, problem);
        }

        using (document)
        {
            return JsonBody.Deserialize(document!.RootElement, GatewayJsonContext.Default.InvokeRequestBody);
        }
    }

    private static DefaultHttpContext Request(string body)
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = "application/json";
        return context;
    }

    private static string Describe(ProblemHttpResult? problem) => problem is null
        ? "none"
        : $"{problem.StatusCode} {problem.ProblemDetails.Title}: {problem.ProblemDetails.Detail} "
          + string.Join(",", problem.ProblemDetails.Extensions.Select(e => $"{e.Key}={e.Value}"));
}
