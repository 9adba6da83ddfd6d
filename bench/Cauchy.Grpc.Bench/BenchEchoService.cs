using Cauchy.Interop.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Grpc.Bench;

/// <summary>
/// The two methods the benchmark drives, doing the same work as tests/interop-node/server.js does for
/// them: echo a small message; stream <c>response_count</c> messages of <c>response_size</c> bytes.
/// </summary>
public sealed class BenchEchoService : Echo.EchoBase
{
    private static readonly Dictionary<int, ByteString> Payloads = [];
    private static readonly Lock PayloadsLock = new();

    public override Task<EchoResponse> Unary(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoResponse { Message = request.Message, Payload = request.Payload });

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var payload = PayloadOf(request.ResponseSize);
        var count = Math.Max(1, request.ResponseCount);
        for (var i = 0; i < count; i++)
        {
            await responseStream.WriteAsync(new EchoResponse { Index = i, Payload = payload });
        }
    }

    private static ByteString PayloadOf(int size)
    {
        lock (PayloadsLock)
        {
            if (!Payloads.TryGetValue(size, out var payload))
            {
                var bytes = new byte[size];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)(i * 31 + 7);
                }
                Payloads[size] = payload = ByteString.CopyFrom(bytes);
            }
            return payload;
        }
    }
}
