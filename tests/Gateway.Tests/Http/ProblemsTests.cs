using SseVirtualization.Functions;
using SseVirtualization.Gateway.Http;

namespace SseVirtualization.Gateway.Tests.Http;

/// <summary>How the function grain's <see cref="InvocationOutcome.NotFound"/> answer becomes the 404 problem.</summary>
public sealed class ProblemsTests
{
    private const string McpServerReason = "'tools' is a remote MCP server, not a function: call its tools through /mcp";
    private const string NotRegisteredDetail = "No function is registered under the name 'tools'.";

    private static InvocationResult NotFound(string error, NotFoundReason reason) =>
        new("req-1", "tools", InvocationOutcome.NotFound, 0, null, error, 0, NotFoundReason: reason);

    [Fact]
    public void An_mcp_server_registration_gets_the_grains_reason()
    {
        var problem = Problems.FunctionNotFound("tools", NotFound(McpServerReason, NotFoundReason.McpServer));

        Assert.Equal(404, problem.StatusCode);
        Assert.Equal("Function not found", problem.ProblemDetails.Title);
        Assert.Equal(McpServerReason, problem.ProblemDetails.Detail);
    }

    [Fact]
    public void The_reason_decides_not_the_grains_wording()
    {
        var reworded = Problems.FunctionNotFound("tools", NotFound("'tools' is served over MCP only; use /mcp", NotFoundReason.McpServer));
        var unregistered = Problems.FunctionNotFound("tools", NotFound("an MCP server text that must not leak", NotFoundReason.NotRegistered));

        Assert.Equal("'tools' is served over MCP only; use /mcp", reworded.ProblemDetails.Detail);
        Assert.Equal(NotRegisteredDetail, unregistered.ProblemDetails.Detail);
    }

    [Fact]
    public void An_unregistered_name_gets_the_plain_answer()
    {
        var problem = Problems.FunctionNotFound("tools", NotFound("function 'tools' is not registered", NotFoundReason.NotRegistered));

        Assert.Equal(404, problem.StatusCode);
        Assert.Equal(NotRegisteredDetail, problem.ProblemDetails.Detail);
    }

    [Theory]
    [InlineData(McpServerReason, McpServerReason)]
    [InlineData("function 'tools' is not registered", NotRegisteredDetail)]
    public void An_answer_from_a_silo_before_the_reason_field_maps_as_it_did(string error, string detail)
    {
        // A silo of the earlier version sends no field 8: it arrives as Unspecified.
        var problem = Problems.FunctionNotFound("tools", NotFound(error, NotFoundReason.Unspecified));

        Assert.Equal(404, problem.StatusCode);
        Assert.Equal(detail, problem.ProblemDetails.Detail);
    }
}
