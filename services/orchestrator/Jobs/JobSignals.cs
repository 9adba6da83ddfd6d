namespace Cauchy.Orchestrator.Jobs;

/// <summary>
/// In-process wake-ups for waiters: a LeaseJob long-poll waits for <see cref="QueueChanged"/>, WatchJob and followed
/// logs for <see cref="JobsChanged"/>. They only shorten waits: waiters always read the database again (the truth),
/// and also poll it, so a missed or foreign (another replica's) change is seen within the poll interval.
/// </summary>
public sealed class JobSignals
{
    private TaskCompletionSource _queue = New();
    private TaskCompletionSource _jobs = New();

    /// <summary>Completes at the next job submission or requeue. Take it before reading the database.</summary>
    public Task QueueChanged => Volatile.Read(ref _queue).Task;

    /// <summary>Completes at the next change of any job (state, progress, events, logs). Take it before reading.</summary>
    public Task JobsChanged => Volatile.Read(ref _jobs).Task;

    public void PulseQueue()
    {
        Interlocked.Exchange(ref _queue, New()).TrySetResult();
        PulseJobs();
    }

    public void PulseJobs() => Interlocked.Exchange(ref _jobs, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
