namespace Grpc.AspNetCore.Server;

/// <summary>
/// Options for one service (<c>AddGrpc().AddServiceOptions&lt;TService&gt;(...)</c>): what they set overrides
/// <see cref="GrpcServiceOptions"/>; their interceptors run inside the global ones.
/// </summary>
public class GrpcServiceOptions<TService> : GrpcServiceOptions
    where TService : class;
