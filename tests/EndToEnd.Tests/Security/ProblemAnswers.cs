using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SseVirtualization.EndToEnd.Tests.Security;

/// <summary>Refusals as a caller sees them: the status, as RFC 7807 problem+json.</summary>
internal static class ProblemAnswers
{
    /// <summary>Asserts the status and the problem+json type, and gives the problem document.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
