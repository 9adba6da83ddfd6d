using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Cauchy.Grpc.AspNetCore;
using Cauchy.Grpc.AspNetCore.Internal;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps gRPC services onto endpoint routing, as the official Grpc.AspNetCore package does.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    private const string LoggerCategory = "Grpc.AspNetCore.Server.ServerCallHandler";

    /// <summary>
    /// Maps every method of <typeparamref name="TService"/> (a class deriving from a generated service base,
    /// found through its <see cref="BindServiceMethodAttribute"/>) to a POST endpoint at "/package.Service/Method".
    /// Each call gets its service instance from DI when <typeparamref name="TService"/> is registered there, else a
    /// new one with constructor injection, disposed after the call.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcService<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>(
        this IEndpointRouteBuilder builder)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.ServiceProvider;
        var catalog = services.GetService<GrpcServiceCatalog>()
            ?? throw new InvalidOperationException("gRPC services are not registered: call services.AddGrpc() before MapGrpcService.");

        var bindAttribute = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true)
            ?? throw new InvalidOperationException(
                $"{typeof(TService)} has no [BindServiceMethod] on it or its base classes: derive it from a generated service base class.");
        var bindMethod = FindBindMethod(bindAttribute, typeof(TService));

        var globalOptions = services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        var serviceOptions = services.GetRequiredService<IOptions<GrpcServiceOptions<TService>>>().Value;
        var options = GrpcMethodOptions.Create(globalOptions, serviceOptions);
        var registeredInDi = services.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) ?? false;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory);
        var setup = new ServiceCallSetup<TService>(options, new ServiceActivator<TService>(registeredInDi), logger);

        var binder = new ServiceMethodBinder<TService>(builder, setup);
        bindMethod.Invoke(null, [binder, null]);

        var descriptor = FindDescriptor(bindAttribute.BindType);
        var name = descriptor?.FullName ?? binder.Methods.FirstOrDefault()?.ServiceName;
        if (name is not null)
        {
            catalog.Add(new MappedGrpcService(name, typeof(TService), binder.Methods, descriptor));
        }

        if (catalog.TryMarkUnimplementedMapped(builder))
        {
            MapUnimplemented(builder, catalog, globalOptions.IgnoreUnknownServices ?? false, logger);
        }
        return new GrpcServiceEndpointConventionBuilder(binder.Endpoints);
    }

    private static MethodInfo FindBindMethod(BindServiceMethodAttribute attribute, Type serviceType)
    {
        // Generated code has BindService(ServiceBinderBase, TServiceBase) next to BindService(TServiceBase);
        // the first is the one that can be called without an instance.
        var candidates = attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
        foreach (var method in candidates)
        {
            if (method.Name != attribute.BindMethodName)
            {
                continue;
            }
            var parameters = method.GetParameters();
            if (parameters.Length == 2 && parameters[0].ParameterType == typeof(ServiceBinderBase) &&
                parameters[1].ParameterType.IsAssignableFrom(serviceType))
            {
                return method;
            }
        }
        throw new InvalidOperationException(
            $"Could not find {attribute.BindMethodName}(ServiceBinderBase, base of {serviceType.Name}) on {attribute.BindType}.");
    }

    /// <summary>The generated outer class of a service has a static Descriptor property; hand-built services do not.</summary>
    private static ServiceDescriptor? FindDescriptor([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type bindType)
    {
        var property = bindType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static);
        return property?.PropertyType == typeof(ServiceDescriptor) ? property.GetValue(null) as ServiceDescriptor : null;
    }

    private static void MapUnimplemented(IEndpointRouteBuilder builder, GrpcServiceCatalog catalog, bool ignoreUnknownServices, ILogger logger)
    {
        var handler = new UnimplementedCallHandler(catalog, ignoreUnknownServices, logger);
        var pattern = RoutePatternFactory.Parse(
            $"{{{UnimplementedCallHandler.ServiceRouteKey}}}/{{{UnimplementedCallHandler.MethodRouteKey}}}",
            defaults: null,
            parameterPolicies: new RouteValueDictionary { [UnimplementedCallHandler.MethodRouteKey] = handler.Constraint });
        builder.Map(pattern, handler.HandleAsync).WithDisplayName("gRPC - Unimplemented");
    }
}
