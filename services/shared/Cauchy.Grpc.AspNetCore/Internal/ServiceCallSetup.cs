using Microsoft.Extensions.Logging;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>What every call handler of one mapped service shares: options, service activation, interceptors, logger.</summary>
internal sealed class ServiceCallSetup<TService>(GrpcMethodOptions options, ServiceActivator<TService> activator, ILogger logger)
    where TService : class
{
    public GrpcMethodOptions Options { get; } = options;

    public ServiceActivator<TService> Activator { get; } = activator;

    public InterceptorActivator[] Interceptors { get; } = options.Interceptors.Select(registration => new InterceptorActivator(registration)).ToArray();

    public ILogger Logger { get; } = logger;
}
