using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Cauchy.Grpc.Internal;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// One call on the server: the <see cref="ServerCallContext"/> handed to the handler, and the owner of the
/// call's response (headers, messages, status) and its deadline.
/// <para>
/// Two actors may end a call: the handler (by returning or throwing) and the deadline timer. Whichever gets
/// <see cref="_sync"/> first wins; every write checks under the same lock, so once the deadline has completed
/// the response nothing else can touch it, and a write that is already waiting for the client is cancelled
/// and awaited before the deadline's status goes out.
/// </para>
/// </summary>
internal sealed class GrpcServerCallContext : ServerCallContext, IDisposable
{
    /// <summary>The key under which <see cref="ServerCallContext.UserState"/> holds the HttpContext, for wrapping contexts.</summary>
    internal const string HttpContextKey = "__HttpContext";

    private const int Http2InternalError = 0x2;

    // Timers cannot wait longer than this; a deadline further away never fires in practice.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private static readonly Status IncompleteMessage = new(StatusCode.Internal, "Incomplete message: the request ended inside a message.");

    private static readonly string[] StatusCodeText = Enumerable.Range(0, 17).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private readonly Lock _sync = new();
    private readonly IMethod _method;
    private readonly GrpcMethodOptions _options;
    private readonly ILogger _logger;

    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Dictionary<object, object>? _userState;
    private string? _peer;
    private Status _status = Status.DefaultSuccess;
    private WriteOptions? _writeOptions;
    private ResponseSerializationContext? _serializer;
    private bool _compressResponses;
    private string? _requestEncoding;

    private DateTime _deadline = DateTime.MaxValue;
    private TimeSpan _timeout;
    private CancellationTokenSource? _deadlineCts;
    private Timer? _deadlineTimer;

    // Guarded by _sync.
    private bool _deadlineExceeded;
    private Task? _deadlineCompletion;
    private bool _callEnded;
    private bool _headersWritten;
    private bool _messageWritten;
    private bool _frameCorrupted;
    private Task? _pendingFlush;

    public GrpcServerCallContext(HttpContext httpContext, IMethod method, GrpcMethodOptions options, ILogger logger)
    {
        HttpContext = httpContext;
        _method = method;
        _options = options;
        _logger = logger;
    }

    public HttpContext HttpContext { get; }

    protected override string MethodCore => _method.FullName;

    protected override string HostCore => HttpContext.Request.Host.Value ?? "";

    protected override string PeerCore => _peer ??= FormatPeer(HttpContext.Connection);

    protected override DateTime DeadlineCore => _deadline;

    // Built on first use: most handlers never look at the headers.
    protected override Metadata RequestHeadersCore => _requestHeaders ??= ReadRequestHeaders(HttpContext.Request.Headers);

    protected override CancellationToken CancellationTokenCore => _deadlineCts?.Token ?? HttpContext.RequestAborted;

    protected override Metadata ResponseTrailersCore => _responseTrailers ??= [];

    protected override Status StatusCore
    {
        get => _status;
        set => _status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => _writeOptions;
        set => _writeOptions = value;
    }

    protected override IDictionary<object, object> UserStateCore => _userState ??= new() { [HttpContextKey] = HttpContext };

    /// <summary>Prepares the response headers and starts the deadline timer. Called once, before the handler runs.</summary>
    public void Initialize()
    {
        var request = HttpContext.Request;
        var responseHeaders = HttpContext.Response.Headers;
        responseHeaders.ContentType = GrpcProtocol.ContentType;
        responseHeaders[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;

        if (_options.ResponseCompressionAlgorithm is { } algorithm &&
            MessageCompression.Accepts(request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(), algorithm))
        {
            _compressResponses = true;
            responseHeaders[GrpcProtocol.EncodingHeader] = algorithm;
        }

        // gRPC enforces its own message size limit; Kestrel's request body cap (30 MB by default) would cut
        // long client streams, and its minimum data rate would cut clients that stream slowly on purpose.
        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBodySize)
        {
            maxBodySize.MaxRequestBodySize = null;
        }
        if (_method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming &&
            HttpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }

        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeoutHeader.Count > 0)
        {
            if (GrpcProtocol.TryParseTimeout(timeoutHeader.ToString(), out var timeout))
            {
                StartDeadline(timeout);
            }
            else
            {
                GrpcServerLog.InvalidTimeout(_logger, timeoutHeader.ToString());
            }
        }
    }

    /// <summary>Reads the one request message of a unary or server-streaming call, up to the end of the request.</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(Func<DeserializationContext, T> deserializer)
        where T : class
    {
        var reader = HttpContext.Request.BodyReader;
        T? message = null;
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                ThrowIfReadCanceled(result);
                if (message is null && RequestFrameParser.TryParse(ref buffer, _options.MaxReceiveMessageSize, out var payload, out var compressed))
                {
                    message = Deserialize(payload, compressed, deserializer);
                    consumed = buffer.Start;
                }
                if (message is not null && !buffer.IsEmpty)
                {
                    throw new RpcException(new Status(StatusCode.Internal,
                        "Additional unexpected message after the request message; a unary request carries exactly one."));
                }
                if (result.IsCompleted)
                {
                    if (message is not null)
                    {
                        return message;
                    }
                    throw new RpcException(buffer.IsEmpty
                        ? new Status(StatusCode.Internal, "No request message was received; a unary request carries exactly one.")
                        : IncompleteMessage);
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, buffer.End);
            }
        }
    }

    /// <summary>Reads the next message of a streaming request; null at the end of the stream.</summary>
    public async ValueTask<T?> ReadStreamMessageAsync<T>(Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken)
        where T : class
    {
        var reader = HttpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                ThrowIfReadCanceled(result);
                if (RequestFrameParser.TryParse(ref buffer, _options.MaxReceiveMessageSize, out var payload, out var compressed))
                {
                    var message = Deserialize(payload, compressed, deserializer);
                    // Examined only up to here: more messages may already be buffered, and the next read
                    // must return them at once rather than wait for new data.
                    consumed = examined = buffer.Start;
                    return message;
                }
                if (result.IsCompleted)
                {
                    consumed = buffer.End;
                    return buffer.IsEmpty ? null : throw new RpcException(IncompleteMessage);
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>Writes one response message: flushed for streaming responses (unless buffered by a write flag), left for the end of the call for unary ones.</summary>
    public Task WriteMessageAsync<T>(T message, Action<T, SerializationContext> serializer, WriteOptions? writeOptions, bool flush, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfCannotWrite("the message");
            if (_pendingFlush is { IsCompleted: false })
            {
                throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
            }
            var flags = (writeOptions ?? _writeOptions)?.Flags ?? default;
            _serializer ??= new ResponseSerializationContext(HttpContext.Response.BodyWriter, _options.MaxSendMessageSize, _options.ResponseCompressionLevel);
            try
            {
                _serializer.Serialize(message, serializer, _compressResponses && (flags & WriteFlags.NoCompress) == 0);
            }
            catch when (_serializer.FrameOpen)
            {
                _frameCorrupted = true;
                throw;
            }
            _messageWritten = true;
            if (!flush || (flags & WriteFlags.BufferHint) != 0)
            {
                return Task.CompletedTask;
            }
            return StartFlush(cancellationToken);
        }
    }

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        lock (_sync)
        {
            ThrowIfCannotWrite("response headers");
            if (_headersWritten)
            {
                throw new InvalidOperationException("Response headers can only be sent once per call.");
            }
            if (_messageWritten || HttpContext.Response.HasStarted)
            {
                throw new InvalidOperationException("Response headers cannot be sent after the first response message.");
            }
            var headers = HttpContext.Response.Headers;
            foreach (var entry in responseHeaders)
            {
                if (entry.Key == GrpcProtocol.InternalEncodingRequestHeader)
                {
                    // The handler picks this call's response encoding; it is honoured only if the client accepts it.
                    ChooseResponseEncoding(entry.IsBinary ? null : entry.Value);
                    continue;
                }
                AppendMetadata(headers, entry);
            }
            _headersWritten = true;
            return StartFlush(CancellationToken.None);
        }
    }

    /// <summary>
    /// Ends the call after the handler returned (<paramref name="error"/> null) or threw: sends the status and
    /// trailers, or leaves the response to the deadline when it got there first.
    /// </summary>
    public Task EndCallAsync(Exception? error)
    {
        Task? deadlineCompletion;
        lock (_sync)
        {
            deadlineCompletion = _deadlineCompletion;
            _callEnded = true;
        }
        _deadlineTimer?.Dispose();
        if (deadlineCompletion is not null)
        {
            GrpcServerLog.HandlerEndedAfterDeadline(_logger, _method.FullName, error);
            return deadlineCompletion;
        }
        if (HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream or went away (or the server shut down hard): nobody will read a status.
            GrpcServerLog.CallAborted(_logger, _method.FullName, error);
            return Task.CompletedTask;
        }
        if (_frameCorrupted)
        {
            GrpcServerLog.ResponseCorrupted(_logger, _method.FullName);
            ResetStream(Http2InternalError);
            return Task.CompletedTask;
        }

        var status = _status;
        Metadata? errorTrailers = null;
        if (error is not null)
        {
            status = StatusFromException(error, out errorTrailers);
        }
        else if (status.StatusCode != StatusCode.OK)
        {
            GrpcServerLog.CallEndedWithStatus(_logger, _method.FullName, status.StatusCode, status.Detail);
        }
        WriteStatus(status, _responseTrailers, errorTrailers);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _deadlineTimer?.Dispose();
        _deadlineCts?.Dispose();
    }

    private Status StatusFromException(Exception error, out Metadata? trailers)
    {
        trailers = null;
        switch (error)
        {
            case RpcException rpc:
                trailers = rpc.Trailers;
                GrpcServerLog.CallEndedWithStatus(_logger, _method.FullName, rpc.StatusCode, rpc.Status.Detail);
                return rpc.Status;
            case OperationCanceledException when CancellationTokenCore.IsCancellationRequested:
                GrpcServerLog.CallAborted(_logger, _method.FullName, error);
                return new Status(StatusCode.Cancelled, "The call was canceled.");
            default:
                GrpcServerLog.HandlerFailed(_logger, _method.FullName, error);
                var detail = _options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {error.GetType().Name}: {error.Message}"
                    : "Exception was thrown by handler.";
                return new Status(StatusCode.Unknown, detail, error);
        }
    }

    /// <summary>
    /// Writes the status: in the trailers after a response that has begun, or, when nothing was sent yet, in
    /// the headers as a trailers-only response (HEADERS with END_STREAM), as the spec allows.
    /// </summary>
    private void WriteStatus(Status status, Metadata? trailers, Metadata? moreTrailers)
    {
        var response = HttpContext.Response;
        IHeaderDictionary destination;
        if (_messageWritten || response.HasStarted)
        {
            destination = HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
                ?? throw new InvalidOperationException("The server does not support response trailers; gRPC needs HTTP/2.");
        }
        else
        {
            destination = response.Headers;
        }
        var code = (int)status.StatusCode;
        destination[GrpcProtocol.StatusHeader] = (uint)code < StatusCodeText.Length ? StatusCodeText[code] : code.ToString(CultureInfo.InvariantCulture);
        if (status.Detail.Length > 0)
        {
            destination[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeStatusMessage(status.Detail);
        }
        AppendAll(destination, trailers);
        AppendAll(destination, moreTrailers);
    }

    private static void AppendAll(IHeaderDictionary destination, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var entry in metadata)
        {
            AppendMetadata(destination, entry);
        }
    }

    private static void AppendMetadata(IHeaderDictionary destination, Metadata.Entry entry)
    {
        // Protocol headers set by an application would corrupt the call; they are never metadata.
        if (GrpcProtocol.IsReservedHeader(entry.Key))
        {
            return;
        }
        // Not IHeaderDictionary.Append: it drops empty values, and an empty value is valid metadata.
        var value = GrpcProtocol.ToHeaderValue(entry);
        var existing = destination[entry.Key];
        destination[entry.Key] = existing.Count == 0 ? new StringValues(value) : StringValues.Concat(existing, value);
    }

    private void ChooseResponseEncoding(string? encoding)
    {
        var accepted = encoding is not null && MessageCompression.IsGzip(encoding) &&
            MessageCompression.Accepts(HttpContext.Request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(), GrpcProtocol.GzipEncoding);
        _compressResponses = accepted;
        if (accepted)
        {
            HttpContext.Response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.GzipEncoding;
        }
        else
        {
            HttpContext.Response.Headers.Remove(GrpcProtocol.EncodingHeader);
        }
    }

    // Called under _sync.
    private void ThrowIfCannotWrite(string what)
    {
        if (_deadlineExceeded)
        {
            throw new InvalidOperationException($"Can't write {what} because the deadline has been exceeded.");
        }
        if (_callEnded)
        {
            throw new InvalidOperationException($"Can't write {what} because the call is complete.");
        }
        if (_frameCorrupted)
        {
            throw new InvalidOperationException($"Can't write {what} because an earlier message was only partly written.");
        }
        // Kestrel drops writes after an abort without telling; fail instead, so a streaming loop stops.
        HttpContext.RequestAborted.ThrowIfCancellationRequested();
    }

    // Called under _sync.
    private Task StartFlush(CancellationToken cancellationToken)
    {
        var flush = HttpContext.Response.BodyWriter.FlushAsync(cancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            ThrowIfFlushCanceled(flush.Result);
            return Task.CompletedTask;
        }
        var pending = AwaitFlushAsync(flush);
        _pendingFlush = pending;
        return pending;
    }

    private async Task AwaitFlushAsync(ValueTask<FlushResult> flush) => ThrowIfFlushCanceled(await flush);

    private void ThrowIfFlushCanceled(FlushResult result)
    {
        // Only the deadline cancels a pending flush (to take over the response).
        if (result.IsCanceled)
        {
            throw new InvalidOperationException("Can't write the message because the deadline has been exceeded.");
        }
    }

    private void ThrowIfReadCanceled(ReadResult result)
    {
        if (result.IsCanceled)
        {
            // Only the deadline cancels a pending read.
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
        }
    }

    private T Deserialize<T>(ReadOnlySequence<byte> payload, bool compressed, Func<DeserializationContext, T> deserializer)
    {
        if (compressed)
        {
            payload = new ReadOnlySequence<byte>(Decompress(payload));
        }
        try
        {
            return deserializer(new PayloadDeserializationContext(payload));
        }
        catch (Exception ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Error deserializing message.", ex));
        }
    }

    private byte[] Decompress(ReadOnlySequence<byte> payload)
    {
        _requestEncoding ??= HttpContext.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (_requestEncoding.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Request sent a compressed message without a grpc-encoding header."));
        }
        if (_requestEncoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Internal, "Request sent a compressed message with grpc-encoding 'identity'."));
        }
        if (!MessageCompression.IsGzip(_requestEncoding))
        {
            // grpc-accept-encoding, already in the response headers, tells the client what it may use instead.
            throw new RpcException(new Status(StatusCode.Unimplemented,
                $"Unsupported grpc-encoding value '{_requestEncoding}'. Supported encodings: {GrpcProtocol.SupportedEncodings}"));
        }
        return MessageCompression.Decompress(payload, _options.MaxReceiveMessageSize);
    }

    private void StartDeadline(TimeSpan timeout)
    {
        _timeout = timeout;
        var now = DateTime.UtcNow;
        _deadline = timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
        if (timeout <= MaxTimerDelay)
        {
            _deadlineTimer = new Timer(static state => ((GrpcServerCallContext)state!).OnDeadline(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDeadline()
    {
        Task? pendingFlush;
        TaskCompletionSource completion;
        lock (_sync)
        {
            if (_callEnded || _deadlineExceeded)
            {
                return;
            }
            _deadlineExceeded = true;
            completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _deadlineCompletion = completion.Task;
            pendingFlush = _pendingFlush is { IsCompleted: false } ? _pendingFlush : null;
        }
        _ = CompleteAfterDeadlineAsync(pendingFlush, completion);
    }

    private async Task CompleteAfterDeadlineAsync(Task? pendingFlush, TaskCompletionSource completion)
    {
        GrpcServerLog.DeadlineExceeded(_logger, _method.FullName, _timeout);
        try
        {
            if (pendingFlush is not null)
            {
                // A write stuck on flow control would hold the response forever; cancel it and let it settle.
                HttpContext.Response.BodyWriter.CancelPendingFlush();
                try
                {
                    await pendingFlush;
                }
                catch (Exception)
                {
                    // The writer reports this failure to the handler; here it only had to end.
                }
            }
            if (!HttpContext.RequestAborted.IsCancellationRequested)
            {
                WriteStatus(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null, null);
                await HttpContext.Response.CompleteAsync();
            }
        }
        catch (Exception ex)
        {
            GrpcServerLog.DeadlineResponseFailed(_logger, _method.FullName, ex);
        }
        finally
        {
            // Only now wake the handler: it cannot race the status above, and its writes already fail.
            try
            {
                _deadlineCts!.Cancel();
            }
            catch (AggregateException ex)
            {
                GrpcServerLog.DeadlineResponseFailed(_logger, _method.FullName, ex);
            }
            try
            {
                HttpContext.Request.BodyReader.CancelPendingRead();
            }
            catch (InvalidOperationException)
            {
                // The request body was already completed; there is no read to wake.
            }
            completion.SetResult();
        }
    }

    private void ResetStream(int errorCode)
    {
        if (HttpContext.Features.Get<IHttpResetFeature>() is { } reset)
        {
            reset.Reset(errorCode);
        }
        else
        {
            HttpContext.Abort();
        }
    }

    private static Metadata ReadRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
        {
            GrpcProtocol.AddHeader(metadata, name, values);
        }
        return metadata;
    }

    /// <summary>The peer in gRPC's URI-like form: "ipv4:127.0.0.1:5000" or "ipv6:[::1]:5000".</summary>
    private static string FormatPeer(ConnectionInfo connection)
    {
        var address = connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"ipv6:[{address}]:{connection.RemotePort.ToString(CultureInfo.InvariantCulture)}"
            : $"ipv4:{address}:{connection.RemotePort.ToString(CultureInfo.InvariantCulture)}";
    }
}
