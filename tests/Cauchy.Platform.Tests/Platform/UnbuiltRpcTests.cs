using Cauchy.Platform.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace Cauchy.Platform.Tests.Platform;

/// <summary>
/// Every RPC not built yet answers UNIMPLEMENTED through our own client (GrpcChannel and the generated Cauchy.V1
/// clients): a clear status, never a fake success or an empty OK.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class UnbuiltRpcTests(PlatformFixture fixture)
{
    [Theory]
    [MemberData(nameof(UnbuiltRpc.ServiceNames), MemberType = typeof(UnbuiltRpc))]
    public async Task UnbuiltRpc_AnswersUnimplemented(string name)
    {
        var service = PlatformService.Named(name);
        var rpc = UnbuiltRpc.For(service)!;
        using var channel = GrpcChannel.ForAddress(fixture.Platform.GrpcUri(service).ToString());

        var error = await Assert.ThrowsAsync<RpcException>(
            () => rpc.Invoke(channel, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10))));

        Assert.True(
            error.StatusCode == StatusCode.Unimplemented,
            $"{service.GrpcService}/{rpc.Method} must answer UNIMPLEMENTED, got {error.StatusCode}: {error.Status.Detail}");
        // The answer names the method, so a caller can tell "not built yet" from a wrong address.
        Assert.Equal($"{service.GrpcService}/{rpc.Method} is not implemented by this version of the service.", error.Status.Detail);
    }
}
