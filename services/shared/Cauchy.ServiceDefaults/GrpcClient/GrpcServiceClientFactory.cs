using System.Collections.Concurrent;
using Cauchy.ServiceDefaults.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>
/// Typed clients for the other services, by name: the address comes from <c>Services:&lt;name&gt;:Address</c>
/// (e.g. <c>Services:Datasets:Address=http://127.0.0.1:50051</c>, or <c>CAUCHY_SERVICES__DATASETS__ADDRESS</c>),
/// and every call goes through the <see cref="GrpcClientResilienceInterceptor"/> of that address and carries this
/// service's own credential (when a service secret is configured). One channel (one HTTP/2 connection pool, one
/// circuit breaker) per address, shared by every client of it.
/// </summary>
public sealed class GrpcServiceClientFactory(
    IConfiguration configuration,
    ILoggerFactory? loggerFactory = null,
    TimeProvider? timeProvider = null,
    OutgoingServiceCredential? credential = null)
    : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ServiceChannel>> _channels = new(StringComparer.Ordinal);
    private readonly Lazy<GrpcResilienceOptions> _options = new(() => GrpcResilienceOptions.FromConfiguration(configuration));

    public static string AddressKey(string serviceName) => $"Services:{serviceName}:Address";

    public string GetAddress(string serviceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        var address = configuration[AddressKey(serviceName)];
        return string.IsNullOrWhiteSpace(address)
            ? throw new InvalidOperationException(
                $"{AddressKey(serviceName)} is not configured; set it in appsettings.json or as CAUCHY_SERVICES__{serviceName.ToUpperInvariant()}__ADDRESS.")
            : address.Trim();
    }

    /// <summary>The call invoker (resilience included) for the named service; generated clients take it in their constructor.</summary>
    public CallInvoker GetCallInvoker(string serviceName) => GetChannel(serviceName).Invoker;

    /// <summary>The resilience interceptor in front of the named service, e.g. to report its circuit state.</summary>
    public GrpcClientResilienceInterceptor GetResilience(string serviceName) => GetChannel(serviceName).Resilience;

    /// <summary>A generated client (<c>Datasets.DatasetsClient</c>) for the named service.</summary>
    public TClient CreateClient<TClient>(string serviceName)
        where TClient : ClientBase<TClient>
    {
        var invoker = GetCallInvoker(serviceName);
        return (TClient?)Activator.CreateInstance(typeof(TClient), invoker)
            ?? throw new InvalidOperationException($"{typeof(TClient)} could not be created from a CallInvoker.");
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            if (channel.IsValueCreated)
            {
                channel.Value.Channel.Dispose();
            }
        }
    }

    private ServiceChannel GetChannel(string serviceName)
    {
        var address = GetAddress(serviceName);
        return _channels.GetOrAdd(address, a => new Lazy<ServiceChannel>(() => Open(a))).Value;
    }

    private ServiceChannel Open(string address)
    {
        var channel = GrpcChannel.ForAddress(address, ServiceChannelOptions.Create());
        var resilience = new GrpcClientResilienceInterceptor(
            address,
            _options.Value,
            timeProvider,
            loggerFactory?.CreateLogger<GrpcClientResilienceInterceptor>());
        var invoker = channel.CreateCallInvoker().Intercept(resilience);
        if (credential?.Bearer is { } bearer)
        {
            // Outermost: each retry the resilience interceptor makes carries the credential too.
            invoker = invoker.Intercept(new BearerCredentialInterceptor(bearer));
        }

        return new ServiceChannel(channel, resilience, invoker);
    }
}
