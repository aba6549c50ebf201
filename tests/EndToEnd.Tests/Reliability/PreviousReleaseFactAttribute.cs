using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>A test that needs the previous release's sources: skipped, saying why, in a clone without them.</summary>
public sealed class PreviousReleaseFactAttribute : FactAttribute
{
    public PreviousReleaseFactAttribute()
    {
        if (PreviousRelease.GitRef is null)
        {
            Skip = PreviousRelease.SkipReason;
        }
    }
}
