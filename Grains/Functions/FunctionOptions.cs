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

    /// <summary>The largest function answer that is relayed; bigger answers fail the invocation.</summary>
    public long MaxResponseBytes { get; set; } = 4 * 1024 * 1024;
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
