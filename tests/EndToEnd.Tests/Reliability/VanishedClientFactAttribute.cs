using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.EndToEnd.Tests.Reliability;

/// <summary>A test that needs a <see cref="VanishingNetwork"/>: skipped, with the reason shown, where one cannot be made.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VanishedClientFactAttribute : FactAttribute
{
    public VanishedClientFactAttribute()
    {
        if (VanishingNetwork.Unavailable() is { } reason)
        {
            Skip = "Cannot emulate a vanished client here: " + reason;
        }
    }
}
