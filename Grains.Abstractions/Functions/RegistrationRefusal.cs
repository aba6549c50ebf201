namespace SseVirtualization.Functions;

/// <summary>
/// Why <see cref="IFunctionGrain.RegisterAsync"/> did not store a definition: a setting of the cluster refuses it
/// (today the egress policy, which only the silos know). The front end answers it as 400 with the field named.
/// </summary>
/// <param name="Field">The definition's field at fault, as the registration body names it (<see cref="EndpointsField"/>).</param>
/// <param name="Detail">Why, in words a caller can act on; it names hosts, never the addresses they resolved to.</param>
[GenerateSerializer, Immutable, Alias("sse.RegistrationRefusal")]
public sealed record RegistrationRefusal(
    [property: Id(0)] string Field,
    [property: Id(1)] string Detail)
{
    /// <summary>The endpoints (a body may give one <c>endpoint</c> or a list of <c>endpoints</c>).</summary>
    public const string EndpointsField = "endpoints";
}
