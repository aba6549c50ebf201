using Microsoft.Extensions.Options;

namespace SseVirtualization.Grains.Clients;

/// <summary>Per-client event log settings (configuration section <c>Clients</c>).</summary>
public sealed class ClientOptions
{
    public const string SectionName = "Clients";

    /// <summary>How many recent events each client grain keeps for replay and for clients not yet connected.</summary>
    public int EventLogCapacity { get; set; } = 1000;

    /// <summary>
    /// Most bytes of event data (UTF-8) each client grain keeps, so one client id holds at most about this much of Redis
    /// whatever its results weigh. The oldest events leave first; a client that resumes from one gets a <c>gap</c>. The
    /// newest event always stays, so a single result larger than this is kept alone.
    /// </summary>
    public long MaxLogBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long an event stays replayable.</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Least time between two age sweeps of one client (an Orleans reminder, so at least a minute): expired events leave
    /// Redis within about this much of <see cref="MaxEventAge"/>, and an idle client's grain is woken at most this often.
    /// </summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Events per stored log segment. Persisting one event rewrites only the newest segment, so this bounds
    /// the bytes written per event; smaller segments mean more records to read on a long replay.
    /// </summary>
    public int LogSegmentSize { get; set; } = 8;

    /// <summary>How often a client grain with unanswered async invocations checks that each is still running.</summary>
    public TimeSpan RedriveCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How old an accepted invocation must be before it is checked (a fresh one is surely running).</summary>
    public TimeSpan RedriveAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times an invocation is started before its client is told it failed.</summary>
    public int MaxInvocationAttempts { get; set; } = 3;

    /// <summary>
    /// Unanswered async invocations one client may have; more are refused (429). Each one is rewritten with the
    /// client's newest log segment, so this also bounds that write.
    /// </summary>
    public int MaxPendingInvocations { get; set; } = 100;

    /// <summary>
    /// How long after sending events live to a silo the client grain tells that silo its newest id, so a connection there
    /// that missed the last of them (live delivery is fire and forget) fetches it from the log. One call per silo and
    /// client that had events, at most once per this interval; none for an idle client.
    /// </summary>
    public TimeSpan DeliveryAuditDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a client grain with nothing to do stays in memory. Its client's streams stay open without it: the next
    /// event activates it again from storage (a few Redis reads), wherever it is published from.
    /// </summary>
    public TimeSpan IdleDeactivation { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most events in one page of a replay (one grain response); a longer replay is fetched page by page.</summary>
    public int MaxBatchEvents { get; set; } = 256;

    /// <summary>Most bytes of event data in one page of a replay (a single larger event still travels alone).</summary>
    public int MaxBatchBytes { get; set; } = 8 * 1024 * 1024;
}

internal sealed class ClientOptionsValidator : IValidateOptions<ClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientOptions options)
    {
        var failures = new List<string>();
        if (options.EventLogCapacity is < 1 or > 100_000)
        {
            failures.Add($"{ClientOptions.SectionName}:EventLogCapacity must be between 1 and 100000.");
        }

        if (options.MaxLogBytes < 64 * 1024)
        {
            failures.Add($"{ClientOptions.SectionName}:MaxLogBytes must be at least 65536.");
        }

        if (options.MaxEventAge <= TimeSpan.Zero)
        {
            failures.Add($"{ClientOptions.SectionName}:MaxEventAge must be positive.");
        }

        if (options.ExpirySweepInterval < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{ClientOptions.SectionName}:ExpirySweepInterval must be at least 00:01:00 (a reminder ticks at most once a minute).");
        }

        if (options.LogSegmentSize is < 1 or > 1024)
        {
            failures.Add($"{ClientOptions.SectionName}:LogSegmentSize must be between 1 and 1024.");
        }

        if (options.RedriveCheckInterval <= TimeSpan.Zero || options.RedriveAfter < TimeSpan.Zero)
        {
            failures.Add($"{ClientOptions.SectionName}:RedriveCheckInterval must be positive and RedriveAfter not negative.");
        }

        if (options.MaxBatchEvents < 1 || options.MaxBatchBytes < 1024)
        {
            failures.Add($"{ClientOptions.SectionName}:MaxBatchEvents must be at least 1 and MaxBatchBytes at least 1024.");
        }

        if (options.MaxPendingInvocations < 1)
        {
            failures.Add($"{ClientOptions.SectionName}:MaxPendingInvocations must be at least 1.");
        }

        if (options.DeliveryAuditDelay < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{ClientOptions.SectionName}:DeliveryAuditDelay must be at least 00:00:01.");
        }

        // Orleans collects idle grains once a minute and refuses an age that is not longer; the delivery audit of a grain's
        // last events runs before it may go.
        if (options.IdleDeactivation <= TimeSpan.FromMinutes(1) || options.IdleDeactivation <= options.DeliveryAuditDelay)
        {
            failures.Add($"{ClientOptions.SectionName}:IdleDeactivation must be longer than 00:01:00 and than {ClientOptions.SectionName}:DeliveryAuditDelay.");
        }

        if (options.MaxInvocationAttempts < 1)
        {
            failures.Add($"{ClientOptions.SectionName}:MaxInvocationAttempts must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
