using Grpc.AspNetCore.Server;

namespace Microsoft.Extensions.DependencyInjection;

public static class GrpcServerBuilderExtensions
{
    /// <summary>Options for one service; what they set overrides the global <see cref="GrpcServiceOptions"/>.</summary>
    public static IGrpcServerBuilder AddServiceOptions<TService>(this IGrpcServerBuilder builder, Action<GrpcServiceOptions<TService>> configure)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
