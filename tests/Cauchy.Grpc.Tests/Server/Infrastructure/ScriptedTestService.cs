using Grpc.Core;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>The test service: created per call with constructor injection (it is not registered in DI), and disposed after.</summary>
public sealed class ScriptedTestService(TestScript script) : TestServiceBase, IDisposable
{
    public override Task<string> Unary(string request, ServerCallContext context) => script.Unary(request, context);

    public override Task ServerStream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context) =>
        script.ServerStream(request, responseStream, context);

    public override Task<string> ClientStream(IAsyncStreamReader<string> requestStream, ServerCallContext context) =>
        script.ClientStream(requestStream, context);

    public override Task Duplex(IAsyncStreamReader<string> requestStream, IServerStreamWriter<string> responseStream, ServerCallContext context) =>
        script.Duplex(requestStream, responseStream, context);

    public override Task<byte[]> Bytes(byte[] request, ServerCallContext context) => script.Bytes(request, context);

    public override Task BytesStream(byte[] request, IServerStreamWriter<byte[]> responseStream, ServerCallContext context) =>
        script.BytesStream(request, responseStream, context);

    public void Dispose()
    {
        script.Record("disposed");
    }
}
