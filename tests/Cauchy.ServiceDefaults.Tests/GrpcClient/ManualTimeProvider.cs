namespace Cauchy.ServiceDefaults.Tests.GrpcClient;

/// <summary>A clock the test moves by hand (timers still run in real time: retry backoffs stay short in tests).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
