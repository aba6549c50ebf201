using System.Diagnostics;

namespace SseVirtualization.Silo.Hosting;

/// <summary>
/// Keeps one of Orleans' (10.4) log events out of the console log when it is a false alarm, and only then:
/// <c>Orleans.Runtime.Watchdog</c> "… has not completed for {TimeSinceLastTick}" (event 100150) with a duration longer than
/// this process has run. The watchdog starts its checking thread before it sets the time that thread compares with,
/// so a first check that wins the race measures from the machine's boot: a "stall" of hours, logged at start-up on
/// every silo. A stall longer than the process's life cannot be, so only that reading is dropped; a real stall is logged.
/// </summary>
[ProviderAlias("Console")] // so that Logging:Console settings still apply to the console it wraps
internal sealed class KnownFalseAlarmsFilter(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    private const string WatchdogCategory = "Orleans.Runtime.Watchdog";
    private const int WatchdogStalled = 100150;

    private static readonly DateTime ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return IsWatched(categoryName) ? new FilteringLogger(logger) : logger;
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(scopeProvider);
        }
    }

    public void Dispose() => inner.Dispose();

    /// <summary>Whether <paramref name="eventId"/> with <paramref name="state"/> and <paramref name="exception"/> is one of the false alarms.</summary>
    internal static bool IsFalseAlarm<TState>(EventId eventId, TState state, Exception? exception) => eventId.Id switch
    {
        WatchdogStalled => state is IReadOnlyList<KeyValuePair<string, object?>> values
            && values.Any(v => v is { Key: "TimeSinceLastTick", Value: TimeSpan stalled } && stalled > DateTime.UtcNow - ProcessStarted),
        _ => false,
    };

    private static bool IsWatched(string category) => category == WatchdogCategory;

    private sealed class FilteringLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsFalseAlarm(eventId, state, exception))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
