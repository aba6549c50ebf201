namespace SseVirtualization.EndToEnd.Tests.QuickStart;

/// <summary>
/// The README's walkthroughs share one fresh copy of the repository and run one after the other: each builds the silo,
/// and two builds at once on two cores would only slow both.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FreshCloneGroup : ICollectionFixture<FreshCheckout>
{
    public const string Name = "Fresh clone";
}
