using Microsoft.Extensions.Options;

namespace SseVirtualization.Grains.Clients;

/// <summary>Per-client event log settings (configuration section <c>Clients</c>).</summary>
public sealed class ClientOptions
{
    public const string SectionName = "Clients";

    /// <summary>How many recent events each client grain keeps for replay and for clients not yet connected.</summary>
    public int EventLogCapacity { get; set; } = 1000;
}

internal sealed class ClientOptionsValidator : IValidateOptions<ClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientOptions options) =>
        options.EventLogCapacity is >= 1 and <= 100_000
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{ClientOptions.SectionName}:EventLogCapacity must be between 1 and 100000.");
}
