using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using Grpc.Core.Interceptors;

namespace Grpc.AspNetCore.Server;

/// <summary>The interceptors of <see cref="GrpcServiceOptions"/>, in order: the first added wraps all others.</summary>
public class InterceptorCollection : Collection<InterceptorRegistration>
{
    /// <summary>Adds an interceptor type, resolved from DI per call or created per call with <paramref name="args"/>.</summary>
    public void Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TInterceptor>(params object[] args)
        where TInterceptor : Interceptor =>
        Add(typeof(TInterceptor), args);

    /// <summary>Adds an interceptor type, resolved from DI per call or created per call with <paramref name="args"/>.</summary>
    public void Add([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type interceptorType, params object[] args) =>
        Add(new InterceptorRegistration(interceptorType, args));

    /// <summary>Adds one interceptor instance shared by every call; it must be thread-safe.</summary>
    public void Add(Interceptor interceptor) => Add(new InterceptorRegistration(interceptor));

    internal void AddRange(IEnumerable<InterceptorRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            Add(registration);
        }
    }
}
