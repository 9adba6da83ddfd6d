using Cauchy.Grpc.Services.Mapping;
using Cauchy.Grpc.Services.Reflection;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Reflection.V1Alpha;

namespace Grpc.Reflection;

/// <summary>
/// Server reflection, v1alpha (<c>grpc.reflection.v1alpha.ServerReflection</c>): the version most
/// tools still speak. Named like the official Grpc.Reflection package's class, which also serves
/// v1alpha. <see cref="ReflectionV1ServiceImpl"/> serves v1 from the same core.
/// </summary>
public class ReflectionServiceImpl : ServerReflection.ServerReflectionBase
{
    private readonly ServerReflectionCore _core;

    /// <summary>Reflects exactly <paramref name="services"/> (and the files they import).</summary>
    public ReflectionServiceImpl(IEnumerable<ServiceDescriptor> services) : this(new FixedMappedServices(services)) { }

    /// <summary>Reflects exactly <paramref name="services"/> (and the files they import).</summary>
    public ReflectionServiceImpl(params ServiceDescriptor[] services) : this((IEnumerable<ServiceDescriptor>)services) { }

    internal ReflectionServiceImpl(IMappedServices services) => _core = new ServerReflectionCore(services);

    public override Task ServerReflectionInfo(
        IAsyncStreamReader<ServerReflectionRequest> requestStream,
        IServerStreamWriter<ServerReflectionResponse> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _core.ServeAsync(requestStream, responseStream, ServerReflectionResponse.Parser, context.CancellationToken);
    }
}
