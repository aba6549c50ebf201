using Microsoft.Extensions.Options;

namespace SseVirtualization.Grains.Functions;

/// <summary>Limits that apply to every function (configuration section <c>Functions</c>).</summary>
public sealed class FunctionOptions
{
    public const string SectionName = "Functions";

    /// <summary>Timeout of a function registered without one.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest timeout a registration or an invocation may ask for.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The largest function answer that is relayed whole (a plain answer, or a streaming one gathered into one
    /// <c>function_response</c>); bigger answers fail the invocation.
    /// </summary>
    public long MaxResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most bytes a streaming answer relayed item by item may carry before it is cut with an error.</summary>
    public long MaxStreamBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The most items a streaming answer may carry before it is cut with an error.</summary>
    public int MaxStreamItems { get; set; } = 10_000;

    /// <summary>Whether function endpoints may be loopback addresses (on in the embedded default).</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Whether function endpoints may be private-network addresses (on in the embedded default).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one MCP session's tool list of a remote MCP server is reused before it is asked again (its list_changed drops it sooner).</summary>
    public TimeSpan McpToolsCacheTtl { get; set; } = TimeSpan.FromMinutes(5);
}

internal sealed class FunctionOptionsValidator : IValidateOptions<FunctionOptions>
{
    public ValidateOptionsResult Validate(string? name, FunctionOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{FunctionOptions.SectionName}:DefaultTimeout must be positive.");
        }

        if (options.MaxTimeout < options.DefaultTimeout)
        {
            failures.Add($"{FunctionOptions.SectionName}:MaxTimeout must be at least DefaultTimeout.");
        }

        if (options.MaxTimeout > TimeSpan.FromMinutes(15))
        {
            // IFunctionGrain.InvokeAsync's response timeout is sized for 15 minutes.
            failures.Add($"{FunctionOptions.SectionName}:MaxTimeout may not exceed 15 minutes.");
        }

        if (options.MaxResponseBytes is < 1024 or > int.MaxValue)
        {
            failures.Add($"{FunctionOptions.SectionName}:MaxResponseBytes must be between 1024 and {int.MaxValue}.");
        }

        if (options.MaxStreamBytes < 1024)
        {
            failures.Add($"{FunctionOptions.SectionName}:MaxStreamBytes must be at least 1024.");
        }

        if (options.MaxStreamItems < 1)
        {
            failures.Add($"{FunctionOptions.SectionName}:MaxStreamItems must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
