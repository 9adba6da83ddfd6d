using System.Diagnostics;

namespace Cauchy.Storage.Tests.Support;

/// <summary>
/// Samples the process's resident memory every few milliseconds from the moment it is made until it is disposed,
/// and keeps the highest reading, so a test can bound what an operation held at its worst, not just at its end.
/// </summary>
public sealed class PeakWorkingSet : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public PeakWorkingSet()
    {
        _peak = Read();
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var now = Read();
                if (now > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, now);
                }
                try
                {
                    await Task.Delay(5, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Resident memory now, after a full collection, so that garbage left by earlier work does not count.</summary>
    public static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Read();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sampling.GetAwaiter().GetResult();
        _stop.Dispose();
    }

    private static long Read()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
