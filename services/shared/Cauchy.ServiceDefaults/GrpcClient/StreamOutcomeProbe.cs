using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// Lets a streaming call take part in the circuit breaker without running inside it: the breaker admits (or
/// rejects) a stand-in execution, and that execution ends the way the call's response headers end — arrived
/// (success) or failed with a status (which may count as a failure). A stream still open without headers after
/// a while also counts as a success: the server took it (an unreachable one fails within a connect timeout),
/// and a long quiet watch stream must not hold a half-open circuit's single probe slot.
/// </summary>
internal sealed class StreamOutcomeProbe
{
    private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _admitted;

    public bool Admitted => _admitted;

    public Task Outcome => _outcome.Task;

    public void MarkAdmitted() => _admitted = true;

    public void Observe(Task<Metadata> responseHeaders, TimeSpan acceptAfter, TimeProvider time)
    {
        var timer = time.CreateTimer(static state => ((StreamOutcomeProbe)state!)._outcome.TrySetResult(), this, acceptAfter, Timeout.InfiniteTimeSpan);
        responseHeaders.ContinueWith(
            (headers, state) =>
            {
                timer.Dispose();
                var probe = (StreamOutcomeProbe)state!;
                if (headers.IsCompletedSuccessfully)
                {
                    probe._outcome.TrySetResult();
                }
                else
                {
                    probe._outcome.TrySetException(headers.Exception?.InnerException ?? new OperationCanceledException());
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public void Fail(Exception exception) => _outcome.TrySetException(exception);
}
