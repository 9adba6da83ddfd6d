using Microsoft.Extensions.DependencyInjection;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Gives each call its service instance: the DI registration when there is one (DI owns its lifetime),
/// otherwise a new instance with constructor injection that is disposed when the call ends.
/// </summary>
internal sealed class ServiceActivator<TService>(bool registeredInDi)
    where TService : class
{
    private readonly ObjectFactory? _factory = registeredInDi ? null : ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);

    /// <summary>True when instances are created per call and must be released with <see cref="ReleaseAsync"/>.</summary>
    public bool CreatesInstances => _factory is not null;

    public TService Create(IServiceProvider services) =>
        _factory is null ? services.GetRequiredService<TService>() : (TService)_factory(services, null);

    public static ValueTask ReleaseAsync(TService service)
    {
        if (service is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }
        (service as IDisposable)?.Dispose();
        return default;
    }
}
