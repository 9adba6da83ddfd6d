using Grpc.Core;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// The request stream of a client-streaming or duplex call. One write at a time: each message is serialized
/// into a pooled frame, written to the HTTP/2 request stream once the handler provides it, and flushed unless
/// the caller asked for <see cref="WriteFlags.BufferHint"/>. <see cref="CompleteAsync"/> half-closes.
/// </summary>
internal sealed class ClientStreamWriter<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, WriteOptions? writeOptions) : IClientStreamWriter<TRequest>
    where TRequest : class
    where TResponse : class
{
    private readonly TaskCompletionSource<Stream> _requestStream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _requestEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FrameSerializationContext _frame = new();
    private readonly Lock _sync = new();
    private Task _lastWrite = Task.CompletedTask;
    private bool _completed;

    public WriteOptions? WriteOptions { get; set; } = writeOptions;

    /// <summary>Completes when no more messages will be written: the request body may end.</summary>
    internal Task RequestEnded => _requestEnded.Task;

    public Task WriteAsync(TRequest message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_sync)
        {
            if (!_lastWrite.IsCompleted)
            {
                throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
            }
            if (_completed)
            {
                throw new InvalidOperationException("Can't write the message because the request stream has been completed.");
            }
            _lastWrite = call.IsFinished ? Task.FromException(call.CreateWriteAfterFinishException()) : WriteCoreAsync(message, cancellationToken);
            return _lastWrite;
        }
    }

    public Task CompleteAsync()
    {
        lock (_sync)
        {
            if (!_lastWrite.IsCompleted)
            {
                throw new InvalidOperationException("Can't complete the request stream because a write is in progress.");
            }
            _completed = true;
        }
        _requestEnded.TrySetResult();
        return Task.CompletedTask;
    }

    internal void OnRequestStreamAvailable(Stream stream) => _requestStream.TrySetResult(stream);

    /// <summary>The call has its outcome: release a write waiting for a request stream that will never come, and let the body end.</summary>
    internal void OnCallFinished()
    {
        _requestStream.TrySetCanceled();
        _requestEnded.TrySetResult();
    }

    private async Task WriteCoreAsync(TRequest message, CancellationToken cancellationToken)
    {
        // Cancelling a write cancels the call, as in Grpc.Net.Client: a half-written stream has no other way out.
        var registration = call.RegisterCancellation(cancellationToken);
        try
        {
            var flags = WriteOptions?.Flags ?? default;
            call.SerializeRequest(message, _frame, flags);
            var stream = await _requestStream.Task.ConfigureAwait(false);
            await _frame.WriteToAsync(stream, flush: (flags & WriteFlags.BufferHint) == 0, call.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw await call.GetWriteFailureAsync(ex).ConfigureAwait(false);
        }
        finally
        {
            registration.Unregister();
            _frame.Release();
        }
    }
}
