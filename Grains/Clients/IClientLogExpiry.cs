namespace SseVirtualization.Grains.Clients;

/// <summary>The age sweep of a client's log, called by the client's own reminder. Internal to the grains.</summary>
internal interface IClientLogExpiry : IGrainWithStringKey
{
    /// <summary>
    /// Deletes from storage the events older than <see cref="ClientOptions.MaxEventAge"/> that reads already hide, and
    /// schedules the next sweep, or cancels it when the log is left empty.
    /// </summary>
    Task SweepExpiredAsync();
}
