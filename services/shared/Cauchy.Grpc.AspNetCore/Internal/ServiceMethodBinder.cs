using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Cauchy.Grpc.AspNetCore.Internal;

/// <summary>
/// Receives a service's methods from its generated <c>BindService(ServiceBinderBase, TServiceBase)</c>, called
/// with a null instance, and maps one endpoint per method at its path. Each handler is the TService method of
/// the same name, bound once to an open-instance delegate so calls need no reflection.
/// </summary>
internal sealed class ServiceMethodBinder<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] TService>(
    IEndpointRouteBuilder endpoints, ServiceCallSetup<TService> setup) : ServiceBinderBase
    where TService : class
{
    private readonly List<IEndpointConventionBuilder> _endpoints = [];
    private readonly List<IMethod> _methods = [];

    public IReadOnlyList<IEndpointConventionBuilder> Endpoints => _endpoints;

    public IReadOnlyList<IMethod> Methods => _methods;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = BindHandler<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(method, typeof(TRequest), typeof(ServerCallContext));
        var callHandler = new UnaryServerCallHandler<TService, TRequest, TResponse>(method, invoker, setup);
        Map(method, callHandler.HandleCallAsync);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = BindHandler<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>(
            method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        var callHandler = new ClientStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, setup);
        Map(method, callHandler.HandleCallAsync);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = BindHandler<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(
            method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        var callHandler = new ServerStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, setup);
        Map(method, callHandler.HandleCallAsync);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = BindHandler<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(
            method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        var callHandler = new DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, setup);
        Map(method, callHandler.HandleCallAsync);
    }

    private static TDelegate BindHandler<TDelegate>(IMethod method, params Type[] parameterTypes)
        where TDelegate : Delegate
    {
        // The generated base class declares the method virtual; this finds the override (or the base's
        // UNIMPLEMENTED default), and the delegate dispatches virtually like a normal call.
        var handler = typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameterTypes)
            ?? throw new InvalidOperationException(
                $"Could not find a public method '{method.Name}({string.Join(", ", parameterTypes.Select(type => type.Name))})' on {typeof(TService)} for gRPC method {method.FullName}.");
        return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler);
    }

    private void Map(IMethod method, RequestDelegate requestDelegate)
    {
        // Every HTTP method reaches the handler, which answers a non-POST request with 415 and a gRPC status
        // rather than letting routing answer 405 without one.
        var endpoint = endpoints.Map(RoutePatternFactory.Parse(method.FullName), requestDelegate)
            .WithDisplayName($"gRPC - {method.FullName}")
            .WithMetadata(new GrpcMethodMetadata(typeof(TService), method));
        _endpoints.Add(endpoint);
        _methods.Add(method);
    }
}
