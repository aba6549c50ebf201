namespace SseVirtualization.Gateway.Functions;

/// <summary>
/// The timeouts the front end checks registrations and invocations against. Not bound to configuration: the
/// <c>Functions</c> section has one owner, the grains' function options, which validate it at start; the host that
/// runs both (the silo) copies these two values from there, since the gateway knows the cluster only through the
/// contract. Unset, they are the section's own defaults.
/// </summary>
public sealed class FunctionLimits
{
    /// <summary>Timeout of a function registered without one (<c>Functions:DefaultTimeout</c>).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest timeout a registration or an invocation may ask for (<c>Functions:MaxTimeout</c>).</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(15);
}
