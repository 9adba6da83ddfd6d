using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// The attempts behind one unary call that may be retried: the caller's <see cref="AsyncUnaryCall{TResponse}"/>
/// reports the status, trailers and headers of the latest attempt, and disposing it cancels whatever attempt
/// or backoff is under way.
/// </summary>
internal sealed class UnaryCallAttempts<TResponse>
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cancellation;
    private AsyncUnaryCall<TResponse>? _current;
    private Status? _failure;
    private bool _disposed;
    private bool _completed;

    public UnaryCallAttempts(CancellationToken callerToken)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        CancellationToken = _cancellation.Token;
    }

    /// <summary>Fires when the caller's token fires or the caller disposes the call.</summary>
    public CancellationToken CancellationToken { get; }

    public void Track(AsyncUnaryCall<TResponse> attempt)
    {
        AsyncUnaryCall<TResponse>? previous;
        bool disposed;
        lock (_lock)
        {
            previous = _current;
            _current = attempt;
            disposed = _disposed;
        }

        previous?.Dispose();
        if (disposed)
        {
            attempt.Dispose();
        }
    }

    /// <summary>The status the call ended with when no attempt's own status describes it (circuit open, cancelled in a backoff).</summary>
    public void Fail(Status status)
    {
        lock (_lock)
        {
            _failure = status;
        }
    }

    public void Completed()
    {
        lock (_lock)
        {
            _completed = true;
        }

        _cancellation.Dispose();
    }

    public Status GetStatus()
    {
        var (current, failure) = Snapshot();
        if (failure is { } status)
        {
            return status;
        }

        return current?.GetStatus() ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");
    }

    public Metadata GetTrailers()
    {
        var (current, failure) = Snapshot();
        if (failure is not null)
        {
            return Metadata.Empty;
        }

        return current?.GetTrailers() ?? throw new InvalidOperationException("Unable to get the trailers because the call is not complete.");
    }

    /// <summary>The headers of the attempt that decided the call, once it has.</summary>
    public async Task<Metadata> ResponseHeadersAsync(Task response)
    {
        try
        {
            await response.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RpcException or OperationCanceledException)
        {
            // The final attempt's own headers task, or the failure status below, reports what went wrong.
        }

        var (current, failure) = Snapshot();
        if (failure is { } status)
        {
            throw new RpcException(status);
        }

        return current is null
            ? throw new RpcException(new Status(StatusCode.Unknown, "The call ended before any attempt was made."))
            : await current.ResponseHeadersAsync.ConfigureAwait(false);
    }

    public void Dispose()
    {
        AsyncUnaryCall<TResponse>? current;
        bool completed;
        lock (_lock)
        {
            _disposed = true;
            current = _current;
            completed = _completed;
        }

        if (!completed)
        {
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Completed in the meantime: nothing left to cancel.
            }
        }

        current?.Dispose();
    }

    private (AsyncUnaryCall<TResponse>? Current, Status? Failure) Snapshot()
    {
        lock (_lock)
        {
            return (_current, _failure);
        }
    }
}
