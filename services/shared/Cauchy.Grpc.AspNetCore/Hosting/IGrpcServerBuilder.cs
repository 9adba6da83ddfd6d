namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Returned by <c>AddGrpc</c>: configures the gRPC server further (for example per-service options).</summary>
public interface IGrpcServerBuilder
{
    IServiceCollection Services { get; }
}
