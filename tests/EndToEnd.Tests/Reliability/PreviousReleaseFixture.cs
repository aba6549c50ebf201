using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>Builds the previous release once for the tests that use it (none when the clone lacks it), and removes it after.</summary>
public sealed class PreviousReleaseFixture : IAsyncLifetime
{
    private PreviousReleaseBuild? _build;

    public PreviousReleaseBuild Build => _build ?? throw new InvalidOperationException(PreviousRelease.SkipReason);

    public async Task InitializeAsync()
    {
        // xunit creates class fixtures even for skipped tests: build only what can be used.
        if (PreviousRelease.GitRef is { } gitRef)
        {
            _build = await PreviousReleaseBuild.BuildAsync(gitRef);
        }
    }

    public async Task DisposeAsync()
    {
        if (_build is not null)
        {
            await _build.DisposeAsync();
        }
    }
}
