using Grpc.AspNetCore.Server;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Gives each call an interceptor for one registration: the shared instance, the DI registration, or a new
/// instance (constructor injection plus the registration's arguments) that is disposed after the call.
/// </summary>
internal sealed class InterceptorActivator(InterceptorRegistration registration)
{
    private readonly object[] _arguments = registration.Arguments.ToArray();
    private ObjectFactory? _factory;

    public Interceptor Create(IServiceProvider services, out bool created)
    {
        created = false;
        if (registration.Instance is { } instance)
        {
            return instance;
        }
        if (services.GetService(registration.Type) is Interceptor fromDi)
        {
            return fromDi;
        }
        _factory ??= ActivatorUtilities.CreateFactory(registration.Type, _arguments.Select(argument => argument.GetType()).ToArray());
        created = true;
        return (Interceptor)_factory(services, _arguments);
    }

    public static ValueTask ReleaseAsync(Interceptor interceptor)
    {
        if (interceptor is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }
        (interceptor as IDisposable)?.Dispose();
        return default;
    }
}
