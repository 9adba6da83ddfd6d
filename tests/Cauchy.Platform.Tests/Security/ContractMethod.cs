using Cauchy.Platform.Tests.Infrastructure;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Cauchy.Platform.Tests.Security;

/// <summary>One RPC of the contracts, the process that serves it, and a call of it with an empty request.</summary>
public sealed record ContractMethod(string FullName, PlatformService Service, MethodDescriptor Descriptor)
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    /// <summary>Every RPC of every Cauchy service, from the generated descriptors; Auth is served by the orchestrator.</summary>
    public static IReadOnlyList<ContractMethod> All { get; } =
    [
        .. new[] { V1.Datasets.Descriptor, V1.Jobs.Descriptor, V1.Auth.Descriptor, V1.Trainer.Descriptor, V1.Metrics.Descriptor, V1.Models.Descriptor }
            .SelectMany(static service => service.Methods)
            .Select(static m => new ContractMethod($"/{m.Service.FullName}/{m.Name}", ServedBy(m.Service), m)),
    ];

    /// <summary>Calls the method with an empty message (a stream of one empty message) and returns the status it ends with.</summary>
    public async Task<StatusCode> CallAsync(CallInvoker invoker)
    {
        var type = (Descriptor.IsClientStreaming, Descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, Descriptor.Service.FullName, Descriptor.Name, Bytes, Bytes);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, []);
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        await call.ResponseAsync;
                    }

                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, []))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
            }

            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    public override string ToString() => FullName;

    private static PlatformService ServedBy(ServiceDescriptor service) => service.Name switch
    {
        "Jobs" or "Auth" => PlatformService.Named("orchestrator"),
        "Models" => PlatformService.Named("registry"),
        var other => PlatformService.Named(other.ToLowerInvariant()),
    };
}
