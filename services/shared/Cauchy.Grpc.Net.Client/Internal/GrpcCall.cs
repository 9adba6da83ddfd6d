using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Cauchy.Grpc.Internal;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.Grpc.Net.Client.Internal;

/// <summary>
/// One gRPC call carried by one HTTP/2 request. It sends the request, reads the response's messages and owns
/// the call's outcome, whichever way it comes: the server's status (trailers, or headers of a trailers-only
/// response), a malformed response, a transport failure, the deadline, cancellation or disposal. The first
/// outcome wins (<see cref="TryFinish"/>); what happens after it only releases resources.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    // Reader states: the response body has one reader at a time, and whoever ends it releases the buffer and the response.
    private const int ReaderIdle = 0;
    private const int ReaderBusy = 1;
    private const int ReaderReleased = 2;

    /// <summary>The longest a System.Threading.Timer can wait; longer deadlines re-arm it when it fires.</summary>
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly string? _host;
    private readonly CallOptions _options;
    private readonly bool _singleResponse;
    private readonly int _maxReceiveMessageSize;
    private readonly CancellationTokenSource _callCts = new();
    private readonly TaskCompletionSource<Metadata> _responseHeaders = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MessageFrameReader _frameReader = new();
    private readonly Lock _sync = new();

    private string? _requestEncoding;
    private DateTime _deadline = DateTime.MaxValue;
    private Timer? _deadlineTimer;
    private CancellationTokenRegistration _callerCancellation;
    private CancellationTokenRegistration _channelDisposal;
    private HttpContent? _requestContent;
    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private string? _responseEncoding;
    private ClientStreamWriter<TRequest, TResponse>? _writer;
    private Task<bool>? _started;
    private TResponse? _current;
    private int _messagesRead;
    private int _readerState;

    private volatile bool _finished;
    private Status _status;
    private CancelReason _cancelReason;
    private HttpHeaders? _trailerSource;
    private Metadata? _trailers;
    private TaskCompletionSource? _finishedSignal;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, string? host, CallOptions options, bool singleResponse)
    {
        _channel = channel;
        _method = method;
        _host = host;
        _options = options;
        _singleResponse = singleResponse;
        _maxReceiveMessageSize = channel.MaxReceiveMessageSize ?? int.MaxValue;
    }

    public bool IsFinished => _finished;

    /// <summary>Cancelled when the call ends early: aborts the HTTP request, its body writes and reads.</summary>
    public CancellationToken CancellationToken => _callCts.Token;

    public TResponse Current => _current ?? throw new InvalidOperationException("No message has been read yet: call MoveNext first.");

    public AsyncUnaryCall<TResponse> StartUnary(TRequest request)
    {
        // The call's own reader (ReadSingleResponseAsync) holds the response body for the call's whole life.
        _readerState = ReaderBusy;
        if (Prepare() && TryCreateUnaryContent(request))
        {
            Arm();
        }
        return new AsyncUnaryCall<TResponse>(ReadSingleResponseAsync(), _responseHeaders.Task, GetStatus, GetTrailers, Dispose);
    }

    public AsyncServerStreamingCall<TResponse> StartServerStreaming(TRequest request)
    {
        if (Prepare() && TryCreateUnaryContent(request))
        {
            Arm();
        }
        _started = StartAsync().AsTask();
        return new AsyncServerStreamingCall<TResponse>(new ResponseStreamReader<TRequest, TResponse>(this), _responseHeaders.Task, GetStatus, GetTrailers, Dispose);
    }

    public AsyncClientStreamingCall<TRequest, TResponse> StartClientStreaming()
    {
        _readerState = ReaderBusy;
        var writer = CreateStreamingContent();
        if (Prepare())
        {
            Arm();
        }
        return new AsyncClientStreamingCall<TRequest, TResponse>(writer, ReadSingleResponseAsync(), _responseHeaders.Task, GetStatus, GetTrailers, Dispose);
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> StartDuplexStreaming()
    {
        var writer = CreateStreamingContent();
        if (Prepare())
        {
            Arm();
        }
        _started = StartAsync().AsTask();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(writer, new ResponseStreamReader<TRequest, TResponse>(this), _responseHeaders.Task, GetStatus, GetTrailers, Dispose);
    }

    public Status GetStatus() => _finished
        ? _status
        : throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() => _finished
        ? GetTrailersCore()
        : throw new InvalidOperationException("Unable to get the trailers because the call is not complete.");

    /// <summary>Cancels the call if it is still running (the server sees RST_STREAM CANCEL) and releases what it holds.</summary>
    public void Dispose() => Cancel(CancelReason.Disposed);

    /// <summary>Reads the next message of a streaming response.</summary>
    public Task<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var state = Interlocked.CompareExchange(ref _readerState, ReaderBusy, ReaderIdle);
        if (state == ReaderBusy)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }
        if (state == ReaderReleased)
        {
            // Cancelled or disposed while nobody was reading: the outcome is already known.
            return _status.StatusCode == StatusCode.OK ? Task.FromResult(false) : Task.FromException<bool>(CreateStatusException());
        }
        return MoveNextCoreAsync(cancellationToken);
    }

    /// <summary>Ties a token (MoveNext's, WriteAsync's) to the call: cancelling it cancels the call.</summary>
    public CancellationTokenRegistration RegisterCancellation(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return default;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            Cancel(CancelReason.Cancelled);
            return default;
        }
        return cancellationToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel(CancelReason.Cancelled), this);
    }

    /// <summary>Serializes one request message into <paramref name="frame"/>; on failure the call ends with the error, which is thrown.</summary>
    public void SerializeRequest(TRequest message, FrameSerializationContext frame, WriteFlags flags)
    {
        frame.Reset();
        try
        {
            _method.RequestMarshaller.ContextualSerializer(message, frame);
        }
        catch (Exception ex)
        {
            frame.Release();
            throw FailLocally(new Status(StatusCode.Internal, $"Error serializing the request message: {ex.Message}", ex));
        }
        if (!frame.IsComplete)
        {
            frame.Release();
            throw FailLocally(new Status(StatusCode.Internal, "Error serializing the request message: the marshaller did not complete it."));
        }
        if (_channel.MaxSendMessageSize is { } maxSend && frame.PayloadLength > maxSend)
        {
            var length = frame.PayloadLength;
            frame.Release();
            throw FailLocally(new Status(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({length} > {maxSend} bytes)."));
        }
        frame.Seal(compress: _requestEncoding is not null && (flags & WriteFlags.NoCompress) == 0);
    }

    /// <summary>
    /// What a failed request write throws. A write never decides the call's outcome: the response does (the
    /// server may have ended the call on purpose, with replies still unread), so the call's status is reported
    /// once known, and otherwise only this write's failure.
    /// </summary>
    public async Task<Exception> GetWriteFailureAsync(Exception writeError)
    {
        if (!_finished && Volatile.Read(ref _readerState) == ReaderBusy)
        {
            // Someone is reading the response, so the outcome is on its way: the same transport failure, or the
            // server's status when it ended the call and the handler closed the request body for that.
            await WhenFinishedAsync().ConfigureAwait(false);
        }
        if (_finished)
        {
            return CreateWriteAfterFinishException();
        }
        return writeError is ObjectDisposedException or OperationCanceledException
            ? new InvalidOperationException(
                "Can't write the message because the request stream was closed, most likely because the server ended the call; read the response stream for its status.",
                writeError)
            : new RpcException(TransportStatus.FromException(writeError, _channel.Address));
    }

    public Exception CreateWriteAfterFinishException() => _status.StatusCode == StatusCode.OK
        ? new InvalidOperationException("Can't write the message because the call is complete.")
        : CreateStatusException();

    /// <summary>The exception a caller sees for a call that ended with a non-OK status.</summary>
    public Exception CreateStatusException()
    {
        if (_cancelReason != CancelReason.None && _channel.ThrowOperationCanceledOnCancellation)
        {
            return new OperationCanceledException(_status.Detail, _status.DebugException, _options.CancellationToken);
        }
        return new RpcException(_status, GetTrailersCore());
    }

    /// <summary>Checks what can fail before anything is sent. False when the call already has its outcome.</summary>
    private bool Prepare()
    {
        if (_options.Headers?.Get(GrpcProtocol.InternalEncodingRequestHeader) is { IsBinary: false } encodingEntry)
        {
            var encoding = encodingEntry.Value;
            if (MessageCompression.IsGzip(encoding))
            {
                _requestEncoding = GrpcProtocol.GzipEncoding;
            }
            else if (!encoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
            {
                FailLocally(new Status(StatusCode.Internal, $"Unsupported request compression '{encoding}': this client compresses with {GrpcProtocol.SupportedEncodings}."));
                return false;
            }
        }
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.Kind == DateTimeKind.Local ? deadline.ToUniversalTime() : deadline;
            if (_deadline <= DateTime.UtcNow)
            {
                // Nothing is sent for a call that is already late.
                TryFinish(StatusFor(CancelReason.DeadlineExceeded), null, CancelReason.DeadlineExceeded);
                return false;
            }
        }
        if (_options.CancellationToken.IsCancellationRequested)
        {
            TryFinish(StatusFor(CancelReason.Cancelled), null, CancelReason.Cancelled);
            return false;
        }
        return true;
    }

    private bool TryCreateUnaryContent(TRequest request)
    {
        var frame = new FrameSerializationContext();
        try
        {
            SerializeRequest(request, frame, _options.WriteOptions?.Flags ?? default);
        }
        catch (RpcException)
        {
            // The call has its outcome; ResponseAsync reports it.
            return false;
        }
        _requestContent = new UnaryRequestContent(frame);
        return true;
    }

    private ClientStreamWriter<TRequest, TResponse> CreateStreamingContent()
    {
        _writer = new ClientStreamWriter<TRequest, TResponse>(this, _options.WriteOptions);
        _requestContent = new StreamingRequestContent<TRequest, TResponse>(_writer);
        return _writer;
    }

    /// <summary>Starts listening for what can end the call from outside: the caller's token, the channel's disposal, the deadline.</summary>
    private void Arm()
    {
        // Under the lock so TryFinish, which may run at once on another thread, sees complete registrations.
        lock (_sync)
        {
            if (_finished)
            {
                return;
            }
            if (_options.CancellationToken.CanBeCanceled)
            {
                _callerCancellation = _options.CancellationToken.UnsafeRegister(
                    static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel(CancelReason.Cancelled), this);
            }
            _channelDisposal = _channel.DisposalToken.UnsafeRegister(
                static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel(CancelReason.ChannelDisposed), this);
            if (_finished)
            {
                // A token already cancelled ran its callback inside UnsafeRegister (the lock is re-entrant) and
                // finished the call before the other registration existed: drop it here, and start no timer.
                _callerCancellation.Unregister();
                _channelDisposal.Unregister();
                return;
            }
            if (_deadline != DateTime.MaxValue)
            {
                _deadlineTimer = new Timer(static state => ((GrpcCall<TRequest, TResponse>)state!).OnDeadlineTimer(), this, TimerDelay(), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private TimeSpan TimerDelay()
    {
        var remaining = _deadline - DateTime.UtcNow;
        return remaining < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : remaining > MaxTimerDelay ? MaxTimerDelay : remaining;
    }

    private void OnDeadlineTimer()
    {
        if (DateTime.UtcNow < _deadline)
        {
            // Fired early (timer granularity) or the deadline is beyond one timer period: wait for the rest.
            try
            {
                _deadlineTimer?.Change(TimerDelay(), Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The call finished meanwhile.
            }
            return;
        }
        Cancel(CancelReason.DeadlineExceeded);
    }

    /// <summary>Sends the request and checks the response headers. True when response messages follow; false when the call has its outcome.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> StartAsync()
    {
        if (!_finished)
        {
            try
            {
                _request = CreateRequest(_requestContent!);
                var response = await _channel.SendAsync(_request, _callCts.Token).ConfigureAwait(false);
                Volatile.Write(ref _response, response);
                if (!_finished && AcceptResponseHeaders(response))
                {
                    _responseStream = await response.Content.ReadAsStreamAsync(_callCts.Token).ConfigureAwait(false);
                    return true;
                }
            }
            catch (Exception ex)
            {
                FinishWithException(ex);
            }
        }
        ReleaseResponse();
        return false;
    }

    private HttpRequestMessage CreateRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetRequestUri(_method))
        {
            // Hand-built requests do not get the client's default version: ask for HTTP/2 and nothing else
            // (prior-knowledge h2c for http://, ALPN h2 for https://).
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        content.Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
        var headers = request.Headers;
        if (_host is not null)
        {
            headers.Host = _host;
        }
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, "trailers");
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_requestEncoding is not null)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, _requestEncoding);
        }
        if (_deadline != DateTime.MaxValue)
        {
            // Computed now, as the request leaves, so the server's clock starts from what is really left.
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(_deadline - DateTime.UtcNow));
        }
        var userAgentSet = false;
        if (_options.Headers is { Count: > 0 } metadata)
        {
            foreach (var entry in metadata)
            {
                // Protocol headers belong to the transport (and grpc-internal-encoding-request is only an instruction to it).
                if (GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    continue;
                }
                userAgentSet |= entry.Key == GrpcProtocol.UserAgentHeader;
                headers.TryAddWithoutValidation(entry.Key, GrpcProtocol.ToHeaderValue(entry));
            }
        }
        if (!userAgentSet)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.UserAgentHeader, GrpcChannel.UserAgent);
        }
        return request;
    }

    /// <summary>Checks the response headers. False when they already decide the call (trailers-only, HTTP error, not gRPC).</summary>
    private bool AcceptResponseHeaders(HttpResponseMessage response)
    {
        var headers = response.Headers;
        if (TryGetHeader(headers, GrpcProtocol.StatusHeader, out var statusValue))
        {
            // Trailers-only: the status came in the only HEADERS frame. The call has no response headers of its own.
            _responseHeaders.TrySetResult(new Metadata());
            TryFinish(CheckResponseCount(ReadStatus(statusValue, headers)), headers, CancelReason.None);
            return false;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            FailLocally(new Status(TransportStatus.FromHttpStatus(response.StatusCode),
                $"Bad gRPC response. HTTP status code: {(int)response.StatusCode} ({response.ReasonPhrase}), and no grpc-status."));
            return false;
        }
        var contentType = TryGetHeader(response.Content.Headers, "content-type", out var value) ? value : null;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            FailLocally(new Status(StatusCode.Unknown,
                $"Bad gRPC response. Invalid content-type value: '{contentType ?? "(none)"}' (expected {GrpcProtocol.ContentType})."));
            return false;
        }
        _responseEncoding = TryGetHeader(headers, GrpcProtocol.EncodingHeader, out var encoding) ? encoding : null;
        _responseHeaders.TrySetResult(ToMetadata(headers));
        return true;
    }

    private async Task<TResponse> ReadSingleResponseAsync()
    {
        if (await StartAsync().ConfigureAwait(false) && await ReadMessageAsync().ConfigureAwait(false))
        {
            var response = _current!;
            // Exactly one message: read on to the trailers (a second message ends the call with INTERNAL).
            await ReadMessageAsync().ConfigureAwait(false);
            if (_status.StatusCode == StatusCode.OK)
            {
                return response;
            }
        }
        throw CreateStatusException();
    }

    private async Task<bool> MoveNextCoreAsync(CancellationToken cancellationToken)
    {
        var registration = RegisterCancellation(cancellationToken);
        try
        {
            if (await _started!.ConfigureAwait(false) && await ReadMessageAsync().ConfigureAwait(false))
            {
                return true;
            }
        }
        finally
        {
            registration.Unregister();
            Interlocked.CompareExchange(ref _readerState, ReaderIdle, ReaderBusy);
        }
        return _status.StatusCode == StatusCode.OK ? false : throw CreateStatusException();
    }

    /// <summary>Reads the next message into <see cref="_current"/>. False when there is none: the call has its outcome.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadMessageAsync()
    {
        try
        {
            while (!_finished)
            {
                if (_frameReader.TryReadMessage(_maxReceiveMessageSize, out var payload, out var compressed, out var bytesNeeded))
                {
                    if (++_messagesRead > 1 && _singleResponse)
                    {
                        FailLocally(new Status(StatusCode.Internal, "The server sent more than one response message for a call that expects one."));
                        break;
                    }
                    _current = Deserialize(payload, compressed);
                    return true;
                }
                if (!await _frameReader.FillAsync(_responseStream!, bytesNeeded, _callCts.Token).ConfigureAwait(false))
                {
                    FinishFromTrailers();
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            FinishWithException(ex);
        }
        ReleaseResponse();
        return false;
    }

    private TResponse Deserialize(ReadOnlyMemory<byte> payload, bool compressed)
    {
        if (compressed)
        {
            if (_responseEncoding is null || _responseEncoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(new Status(StatusCode.Internal, "The server sent a compressed message without a grpc-encoding header."));
            }
            if (!MessageCompression.IsGzip(_responseEncoding))
            {
                throw new RpcException(new Status(StatusCode.Internal,
                    $"The server compressed a message with '{_responseEncoding}', which this client does not support ({GrpcProtocol.SupportedEncodings})."));
            }
            payload = MessageCompression.Decompress(new ReadOnlySequence<byte>(payload), _maxReceiveMessageSize);
        }
        try
        {
            return _method.ResponseMarshaller.ContextualDeserializer(new PayloadDeserializationContext(new ReadOnlySequence<byte>(payload)));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize the response message: {ex.Message}", ex));
        }
    }

    /// <summary>The body ended cleanly: the status is in the trailers.</summary>
    private void FinishFromTrailers()
    {
        var trailers = _response!.TrailingHeaders;
        var status = TryGetHeader(trailers, GrpcProtocol.StatusHeader, out var statusValue)
            ? ReadStatus(statusValue, trailers)
            : new Status(StatusCode.Unknown, "No grpc-status found on response.");
        TryFinish(CheckResponseCount(status), trailers, CancelReason.None);
    }

    /// <summary>A call that expects one response message and got none ends with INTERNAL, whatever OK the server claimed.</summary>
    private Status CheckResponseCount(Status status) =>
        status.StatusCode == StatusCode.OK && _singleResponse && _messagesRead == 0
            ? new Status(StatusCode.Internal, "The server finished the call without sending the response message.")
            : status;

    private void FinishWithException(Exception exception)
    {
        var status = exception is RpcException rpc ? rpc.Status : TransportStatus.FromException(exception, _channel.Address);
        if (TryFinish(status, null, CancelReason.None))
        {
            Abort();
        }
    }

    /// <summary>Ends the call with an error found on this side (bad response, size limit, serialization) and resets the stream.</summary>
    private RpcException FailLocally(Status status)
    {
        if (TryFinish(status, null, CancelReason.None))
        {
            Abort();
        }
        return new RpcException(status);
    }

    private void Cancel(CancelReason reason)
    {
        if (TryFinish(StatusFor(reason), null, reason))
        {
            Abort();
        }
    }

    /// <summary>Stops the HTTP request after the call got its outcome: the handler resets the stream (RST_STREAM CANCEL).</summary>
    private void Abort()
    {
        _callCts.Cancel();
        // A read in progress notices the cancellation and releases the response itself. With nobody reading,
        // nothing would: dispose it now, which also resets the stream if it was still open.
        if (Interlocked.CompareExchange(ref _readerState, ReaderReleased, ReaderIdle) == ReaderIdle)
        {
            ReleaseResponse();
        }
    }

    private bool TryFinish(Status status, HttpHeaders? trailers, CancelReason reason)
    {
        CancellationTokenRegistration callerCancellation, channelDisposal;
        TaskCompletionSource? finishedSignal;
        lock (_sync)
        {
            if (_finished)
            {
                return false;
            }
            _status = status;
            _trailerSource = trailers;
            _cancelReason = reason;
            _finished = true;
            callerCancellation = _callerCancellation;
            channelDisposal = _channelDisposal;
            finishedSignal = _finishedSignal;
        }
        callerCancellation.Unregister();
        channelDisposal.Unregister();
        _deadlineTimer?.Dispose();
        if (!_responseHeaders.Task.IsCompleted)
        {
            if (status.StatusCode == StatusCode.OK)
            {
                _responseHeaders.TrySetResult(new Metadata());
            }
            else if (_responseHeaders.TrySetException(CreateStatusException()))
            {
                // Many callers never look at the headers of a failed call: mark the exception observed.
                _ = _responseHeaders.Task.Exception;
            }
        }
        _writer?.OnCallFinished();
        finishedSignal?.TrySetResult();
        return true;
    }

    private Task WhenFinishedAsync()
    {
        lock (_sync)
        {
            if (_finished)
            {
                return Task.CompletedTask;
            }
            _finishedSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _finishedSignal.Task;
        }
    }

    /// <summary>Returns the read buffer and disposes the response and request (which resets the stream if it is still open).</summary>
    private void ReleaseResponse()
    {
        _frameReader.Release();
        Interlocked.Exchange(ref _response, null)?.Dispose();
        Interlocked.Exchange(ref _request, null)?.Dispose();
    }

    private Metadata GetTrailersCore()
    {
        lock (_sync)
        {
            return _trailers ??= _trailerSource is null ? new Metadata() : ToMetadata(_trailerSource);
        }
    }

    private static Status StatusFor(CancelReason reason) => reason switch
    {
        CancelReason.DeadlineExceeded => new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"),
        CancelReason.Disposed => new Status(StatusCode.Cancelled, "gRPC call disposed."),
        CancelReason.ChannelDisposed => new Status(StatusCode.Cancelled, "The channel was disposed."),
        _ => new Status(StatusCode.Cancelled, "Call canceled by the client."),
    };

    private static Status ReadStatus(string statusValue, HttpHeaders headers)
    {
        var message = TryGetHeader(headers, GrpcProtocol.MessageHeader, out var value) ? GrpcProtocol.DecodeStatusMessage(value) : "";
        return new Status(GrpcProtocol.ParseStatusCode(statusValue), message);
    }

    private static bool TryGetHeader(HttpHeaders headers, string name, out string value)
    {
        // NonValidated: the raw strings as received, without HttpClient parsing (and allocating) typed values.
        if (headers.NonValidated.TryGetValues(name, out var values))
        {
            value = values.ToString();
            return true;
        }
        value = "";
        return false;
    }

    private static Metadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            GrpcProtocol.AddHeader(metadata, header.Key, header.Value);
        }
        return metadata;
    }
}
