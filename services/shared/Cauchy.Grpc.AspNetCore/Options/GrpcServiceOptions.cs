using System.IO.Compression;
using Cauchy.Grpc.Internal;

namespace Grpc.AspNetCore.Server;

/// <summary>
/// Options for every gRPC service the server hosts (<c>AddGrpc(options => ...)</c>). A service's own
/// <see cref="GrpcServiceOptions{TService}"/> override the values it sets; its interceptors run inside these.
/// </summary>
public class GrpcServiceOptions
{
    // Each option remembers whether it was set, so per-service options override only what they set.
    private int? _maxReceiveMessageSize = GrpcProtocol.DefaultMaxReceiveMessageSize;
    private int? _maxSendMessageSize;
    private bool? _enableDetailedErrors;
    private string? _responseCompressionAlgorithm;
    private CompressionLevel? _responseCompressionLevel;
    private bool? _ignoreUnknownServices;

    /// <summary>The largest request message accepted, in bytes (after decompression); null for no limit. Default 4 MiB.</summary>
    public int? MaxReceiveMessageSize
    {
        get => _maxReceiveMessageSize;
        set
        {
            _maxReceiveMessageSize = value;
            MaxReceiveMessageSizeSpecified = true;
        }
    }

    /// <summary>The largest response message sent, in bytes (before compression); null (the default) for no limit.</summary>
    public int? MaxSendMessageSize
    {
        get => _maxSendMessageSize;
        set
        {
            _maxSendMessageSize = value;
            MaxSendMessageSizeSpecified = true;
        }
    }

    /// <summary>
    /// Put the exception's type and message in the status of calls whose handler failed with something other
    /// than an <c>RpcException</c>. Off by default: exception text can leak internals to callers.
    /// </summary>
    public bool? EnableDetailedErrors
    {
        get => _enableDetailedErrors;
        set
        {
            _enableDetailedErrors = value;
            EnableDetailedErrorsSpecified = true;
        }
    }

    /// <summary>Compress responses with this grpc-encoding ("gzip") when the client's grpc-accept-encoding lists it.</summary>
    public string? ResponseCompressionAlgorithm
    {
        get => _responseCompressionAlgorithm;
        set
        {
            _responseCompressionAlgorithm = value;
            ResponseCompressionAlgorithmSpecified = true;
        }
    }

    /// <summary>The compression level for responses; null means <see cref="CompressionLevel.Fastest"/>.</summary>
    public CompressionLevel? ResponseCompressionLevel
    {
        get => _responseCompressionLevel;
        set
        {
            _responseCompressionLevel = value;
            ResponseCompressionLevelSpecified = true;
        }
    }

    /// <summary>
    /// Let requests for services that are not mapped fall through to the rest of the pipeline (404) instead of
    /// answering UNIMPLEMENTED. Unknown methods of mapped services are UNIMPLEMENTED either way.
    /// </summary>
    public bool? IgnoreUnknownServices
    {
        get => _ignoreUnknownServices;
        set
        {
            _ignoreUnknownServices = value;
            IgnoreUnknownServicesSpecified = true;
        }
    }

    /// <summary>Server interceptors; the first registered is the outermost.</summary>
    public InterceptorCollection Interceptors { get; } = new();

    internal bool MaxReceiveMessageSizeSpecified { get; private set; }

    internal bool MaxSendMessageSizeSpecified { get; private set; }

    internal bool EnableDetailedErrorsSpecified { get; private set; }

    internal bool ResponseCompressionAlgorithmSpecified { get; private set; }

    internal bool ResponseCompressionLevelSpecified { get; private set; }

    internal bool IgnoreUnknownServicesSpecified { get; private set; }
}
