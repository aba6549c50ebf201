using Microsoft.Extensions.Logging;
using SseVirtualization.Silo.Hosting;

namespace SseVirtualization.EndToEnd.Tests.Hosting;

/// <summary>Only Orleans' false alarms leave the log: a stall longer than the process lived, a read the agent cancelled.</summary>
public sealed class KnownFalseAlarmsFilterTests
{
    [Fact]
    public void A_stall_longer_than_the_process_has_run_is_dropped_and_a_real_one_kept()
    {
        Assert.True(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(100150), Stalled(TimeSpan.FromDays(3)), null));
        Assert.False(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(100150), Stalled(TimeSpan.FromMilliseconds(1)), null));
    }

    [Fact]
    public void A_queue_read_the_agent_cancelled_is_dropped_and_any_other_failure_kept()
    {
        foreach (var id in new[] { 200402, 103312 })
        {
            Assert.True(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(id), "read", new OperationCanceledException()));
            Assert.False(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(id), "read", new TimeoutException()));
        }

        Assert.False(KnownFalseAlarmsFilter.IsFalseAlarm(new EventId(1), "other", new OperationCanceledException()));
    }

    private static List<KeyValuePair<string, object?>> Stalled(TimeSpan duration) =>
        [new("TimeSinceLastTick", duration), new("{OriginalFormat}", "Participant check thread has not completed for {TimeSinceLastTick}")];
}
