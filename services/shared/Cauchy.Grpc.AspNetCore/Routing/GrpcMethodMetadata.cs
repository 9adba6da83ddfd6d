using Grpc.Core;

namespace Grpc.AspNetCore.Server;

/// <summary>Endpoint metadata of a gRPC method endpoint: which service class and which method it serves.</summary>
public sealed class GrpcMethodMetadata(Type serviceType, IMethod method)
{
    public Type ServiceType { get; } = serviceType ?? throw new ArgumentNullException(nameof(serviceType));

    public IMethod Method { get; } = method ?? throw new ArgumentNullException(nameof(method));
}
