using System.IO.Compression;
using Cauchy.Grpc.Internal;
using Grpc.AspNetCore.Server;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>The options one service's calls run with: the global options merged with the service's own, resolved once at mapping.</summary>
internal sealed class GrpcMethodOptions
{
    public int MaxReceiveMessageSize { get; private init; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    public int? MaxSendMessageSize { get; private init; }

    public bool EnableDetailedErrors { get; private init; }

    /// <summary>"gzip" or null; validated, so call handling never meets an encoding it cannot produce.</summary>
    public string? ResponseCompressionAlgorithm { get; private init; }

    public CompressionLevel ResponseCompressionLevel { get; private init; } = CompressionLevel.Fastest;

    public IReadOnlyList<InterceptorRegistration> Interceptors { get; private init; } = [];

    public static GrpcMethodOptions Create(GrpcServiceOptions global, GrpcServiceOptions? service)
    {
        var maxReceive = Pick(global.MaxReceiveMessageSize, service?.MaxReceiveMessageSize, service?.MaxReceiveMessageSizeSpecified);
        var algorithm = Pick(global.ResponseCompressionAlgorithm, service?.ResponseCompressionAlgorithm, service?.ResponseCompressionAlgorithmSpecified);
        if (algorithm is not null && algorithm.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            algorithm = null;
        }
        if (algorithm is not null && !MessageCompression.IsGzip(algorithm))
        {
            throw new InvalidOperationException(
                $"The response compression algorithm '{algorithm}' is not supported; this server compresses with: {GrpcProtocol.GzipEncoding}.");
        }
        var interceptors = new List<InterceptorRegistration>(global.Interceptors);
        if (service is not null)
        {
            interceptors.AddRange(service.Interceptors);
        }
        return new GrpcMethodOptions
        {
            MaxReceiveMessageSize = maxReceive ?? int.MaxValue,
            MaxSendMessageSize = Pick(global.MaxSendMessageSize, service?.MaxSendMessageSize, service?.MaxSendMessageSizeSpecified),
            EnableDetailedErrors = Pick(global.EnableDetailedErrors, service?.EnableDetailedErrors, service?.EnableDetailedErrorsSpecified) ?? false,
            ResponseCompressionAlgorithm = algorithm is null ? null : GrpcProtocol.GzipEncoding,
            ResponseCompressionLevel = Pick(global.ResponseCompressionLevel, service?.ResponseCompressionLevel, service?.ResponseCompressionLevelSpecified)
                ?? CompressionLevel.Fastest,
            Interceptors = interceptors.ToArray(),
        };
    }

    private static T Pick<T>(T global, T? service, bool? serviceSpecified) =>
        serviceSpecified == true ? service! : global;
}
