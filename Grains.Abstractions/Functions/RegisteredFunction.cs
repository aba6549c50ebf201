namespace SseVirtualization.Functions;

/// <summary>A function as the cluster stores it.</summary>
[GenerateSerializer, Immutable, Alias("sse.RegisteredFunction")]
public sealed record RegisteredFunction(
    [property: Id(0)] FunctionDefinition Definition,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset UpdatedAt,
    [property: Id(3)] bool IsActive);

/// <summary>The outcome of <see cref="IFunctionGrain.RegisterAsync"/>.</summary>
/// <param name="Function">The function as stored.</param>
/// <param name="Created"><c>true</c> when the name was new, <c>false</c> when an existing function was updated.</param>
[GenerateSerializer, Immutable, Alias("sse.RegistrationResult")]
public sealed record RegistrationResult(
    [property: Id(0)] RegisteredFunction Function,
    [property: Id(1)] bool Created);
