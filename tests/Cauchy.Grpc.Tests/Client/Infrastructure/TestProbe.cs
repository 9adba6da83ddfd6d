using System.Collections.Concurrent;

namespace Cauchy.Grpc.Tests.Client.Infrastructure;

/// <summary>What one test's server-side handler saw, and a latch the test opens to let it go on.</summary>
public sealed class TestProbe
{
    private int _calls;

    /// <summary>Completes when the handler's request was aborted (the client reset the stream).</summary>
    public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Opened by the test to let a waiting handler go on.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<string> Seen { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public void CountCall() => Interlocked.Increment(ref _calls);
}
