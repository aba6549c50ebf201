using System.Diagnostics.CodeAnalysis;

namespace SseVirtualization.Functions;

/// <summary>A function as the cluster stores it.</summary>
[GenerateSerializer, Immutable, Alias("sse.RegisteredFunction")]
public sealed record RegisteredFunction(
    [property: Id(0)] FunctionDefinition Definition,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset UpdatedAt,
    [property: Id(3)] bool IsActive);

/// <summary>The outcome of <see cref="IFunctionGrain.RegisterAsync"/>: the function as stored, or why it was refused.</summary>
/// <param name="Function">The function as stored; null when <paramref name="Refusal"/> is set.</param>
/// <param name="Created"><c>true</c> when the name was new, <c>false</c> when an existing function was updated.</param>
/// <param name="Refusal">
/// Set when the cluster refused the definition and stored nothing. Added after the first two fields (silos before it
/// threw ArgumentException instead), so answers of either version read alike.
/// </param>
[GenerateSerializer, Immutable, Alias("sse.RegistrationResult")]
public sealed record RegistrationResult(
    [property: Id(0)] RegisteredFunction? Function,
    [property: Id(1)] bool Created,
    [property: Id(2)] RegistrationRefusal? Refusal = null)
{
    /// <summary>A refused definition: nothing was stored.</summary>
    public static RegistrationResult Refused(RegistrationRefusal refusal) => new(null, Created: false, refusal);

    /// <summary>Whether the definition was stored (<see cref="Function"/> is then set).</summary>
    [MemberNotNullWhen(true, nameof(Function))]
    public bool IsStored => Refusal is null && Function is not null;
}
