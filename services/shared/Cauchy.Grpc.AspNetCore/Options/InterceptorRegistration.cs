using System.Diagnostics.CodeAnalysis;
using Grpc.Core.Interceptors;

namespace Grpc.AspNetCore.Server;

/// <summary>
/// One interceptor in <see cref="GrpcServiceOptions.Interceptors"/>: a type that is resolved from DI per call
/// (or created per call with <see cref="Arguments"/> when DI does not know it), or a shared instance.
/// </summary>
public sealed class InterceptorRegistration
{
    internal InterceptorRegistration(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type type,
        object[] arguments)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!typeof(Interceptor).IsAssignableFrom(type))
        {
            throw new ArgumentException($"Type {type} is not a {typeof(Interceptor)}.", nameof(type));
        }
        Type = type;
        Arguments = arguments;
    }

    internal InterceptorRegistration(Interceptor instance)
    {
        Instance = instance ?? throw new ArgumentNullException(nameof(instance));
        Type = instance.GetType();
        Arguments = [];
    }

    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
    public Type Type { get; }

    /// <summary>Constructor arguments that DI cannot supply, used when the interceptor is not registered in DI.</summary>
    public IReadOnlyList<object> Arguments { get; }

    /// <summary>The shared instance, when one was registered instead of a type.</summary>
    public Interceptor? Instance { get; }
}
