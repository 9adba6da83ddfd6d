using Cauchy.Cli.Output;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Cauchy.Cli;

/// <summary>What every command needs: where the services are, the credential, how to print, and gRPC channels (one per service).</summary>
public sealed class CliContext(ServiceAddresses addresses, Credentials credentials, Printer printer, TextWriter error) : IDisposable
{
    private readonly Dictionary<string, GrpcChannel> _channels = [];

    public ServiceAddresses Addresses { get; } = addresses;

    public Credentials Credentials { get; } = credentials;

    public Printer Out { get; } = printer;

    public TextWriter Error { get; } = error;

    /// <summary>Per-call deadline for unary calls; streams have none (a watch may last hours).</summary>
    public TimeSpan UnaryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public T Client<T>(string service, Func<CallInvoker, T> create)
    {
        if (!_channels.TryGetValue(service, out var channel))
        {
            channel = GrpcChannel.ForAddress(Addresses.For(service), new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 64 * 1024 * 1024,
            });
            _channels[service] = channel;
        }

        var invoker = channel.CreateCallInvoker();
        if (Credentials.Token is { } token)
        {
            invoker = invoker.Intercept(metadata =>
            {
                metadata.Add("authorization", "Bearer " + token);
                return metadata;
            });
        }

        return create(invoker);
    }

    public DateTime Deadline() => DateTime.UtcNow + UnaryTimeout;

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
