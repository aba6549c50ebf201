using Microsoft.Extensions.Logging;
using SseVirtualization.Silo.Hosting;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>Only Orleans' false alarm leaves the log: a stall longer than the process lived.</summary>
public sealed class KnownFalseAlarmsFilterTests
{
    [Fact]
    public void A_stall_longer_than_the_process_has_run_is_dropped_and_a_real_one_kept()
    {
        Assert.True(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(100150), Stalled(TimeSpan.FromDays(3)), null));
        Assert.False(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(100150), Stalled(TimeSpan.FromMilliseconds(1)), null));
    }

    [Fact]
    public void Other_events_are_kept()
    {
        Assert.False(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(1), "other", new OperationCanceledException()));
        Assert.False(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(200402), "read", new OperationCanceledException()));
    }

    private static List<KeyValuePair<string, object?>> Stalled(TimeSpan duration) =>
        [new("TimeSinceLastTick", duration), new("{OriginalFormat}", "Participant check thread has not completed for {TimeSinceLastTick}")];
}
