namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The timeout and egress limits the front end checks requests against. Bound to the same <c>Functions</c> section the
/// function grains read, so one setting governs both.
/// </summary>
internal sealed class FunctionLimits
{
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(15);

    public bool AllowLoopback { get; set; }

    public bool AllowPrivateNetworks { get; set; }
}
