using Cauchy.Grpc.Services.Mapping;
using Cauchy.Grpc.Services.Reflection;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Reflection.V1;

namespace Grpc.Reflection;

/// <summary>
/// Server reflection, v1 (<c>grpc.reflection.v1.ServerReflection</c>), the current version;
/// answered by the same core as <see cref="ReflectionServiceImpl"/> (v1alpha).
/// </summary>
public class ReflectionV1ServiceImpl : ServerReflection.ServerReflectionBase
{
    private readonly ServerReflectionCore _core;

    /// <summary>Reflects exactly <paramref name="services"/> (and the files they import).</summary>
    public ReflectionV1ServiceImpl(IEnumerable<ServiceDescriptor> services) : this(new FixedMappedServices(services)) { }

    /// <summary>Reflects exactly <paramref name="services"/> (and the files they import).</summary>
    public ReflectionV1ServiceImpl(params ServiceDescriptor[] services) : this((IEnumerable<ServiceDescriptor>)services) { }

    internal ReflectionV1ServiceImpl(IMappedServices services) => _core = new ServerReflectionCore(services);

    public override Task ServerReflectionInfo(
        IAsyncStreamReader<ServerReflectionRequest> requestStream,
        IServerStreamWriter<ServerReflectionResponse> responseStream,
        ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _core.ServeAsync(requestStream, responseStream, ServerReflectionResponse.Parser, context.CancellationToken);
    }
}
