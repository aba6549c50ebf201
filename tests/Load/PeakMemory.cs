using System.Globalization;
using SseVirtualization.TestInfrastructure;

namespace SseVirtualization.Load;

/// <summary>Samples the resident memory of every silo in service once a second and keeps the largest, in MB.</summary>
internal sealed class PeakMemory : IDisposable
{
    private readonly Func<IReadOnlyList<SiloProcess>> _silos;
    private readonly Timer _timer;
    private long _peakKilobytes;

    public PeakMemory(Func<IReadOnlyList<SiloProcess>> silos)
    {
        _silos = silos;
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    public double PeakMegabytes => Math.Round(Interlocked.Read(ref _peakKilobytes) / 1024.0, 1);

    private void Sample()
    {
        foreach (var silo in _silos().ToList())
        {
            try
            {
                var line = File.ReadLines($"/proc/{silo.Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is not null && long.TryParse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture, out var kilobytes))
                {
                    var peak = Interlocked.Read(ref _peakKilobytes);
                    while (kilobytes > peak && Interlocked.CompareExchange(ref _peakKilobytes, kilobytes, peak) != peak)
                    {
                        peak = Interlocked.Read(ref _peakKilobytes);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                // The silo exited between listing and reading.
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
