using System.Buffers;
using System.Text;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>
/// A service base written the way Grpc.Tools generates one (BindServiceMethod attribute, static BindService
/// called with a null instance, virtual methods that answer UNIMPLEMENTED), over string messages, so the
/// server tests need neither protoc nor the client transport.
/// </summary>
[BindServiceMethod(typeof(TestServiceDefinition), nameof(TestServiceDefinition.BindService))]
public abstract class TestServiceBase
{
    public virtual Task<string> Unary(string request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    public virtual Task ServerStream(string request, IServerStreamWriter<string> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    public virtual Task<string> ClientStream(IAsyncStreamReader<string> requestStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    public virtual Task Duplex(IAsyncStreamReader<string> requestStream, IServerStreamWriter<string> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    /// <summary>Not overridden by the test service: the generated default must answer UNIMPLEMENTED.</summary>
    public virtual Task<string> NotOverridden(string request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "NotOverridden is not implemented."));

    /// <summary>Raw bytes with a marshaller that rejects payloads starting with 0xFF (to test deserialization failures).</summary>
    public virtual Task<byte[]> Bytes(byte[] request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));

    /// <summary>Server streaming of raw bytes through the contextual (buffer writer) serializer path.</summary>
    public virtual Task BytesStream(byte[] request, IServerStreamWriter<byte[]> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, ""));
}

public static class TestServiceDefinition
{
    public const string ServiceName = "cauchy.test.Tests";

    public static readonly Marshaller<string> StringMarshaller = Marshallers.Create(
        (string value) => Encoding.UTF8.GetBytes(value),
        bytes => Encoding.UTF8.GetString(bytes));

    /// <summary>Contextual marshaller that announces the payload length and writes through the buffer writer, like generated protobuf code.</summary>
    public static readonly Marshaller<byte[]> BytesMarshaller = Marshallers.Create<byte[]>(
        (value, context) =>
        {
            context.SetPayloadLength(value.Length);
            var writer = context.GetBufferWriter();
            writer.Write(value);
            context.Complete();
        },
        context =>
        {
            var payload = context.PayloadAsReadOnlySequence();
            if (!payload.IsEmpty && payload.FirstSpan[0] == 0xFF)
            {
                throw new FormatException("Payloads starting with 0xFF are invalid.");
            }
            return payload.ToArray();
        });

    public static readonly Method<string, string> Unary = new(MethodType.Unary, ServiceName, "Unary", StringMarshaller, StringMarshaller);
    public static readonly Method<string, string> ServerStream = new(MethodType.ServerStreaming, ServiceName, "ServerStream", StringMarshaller, StringMarshaller);
    public static readonly Method<string, string> ClientStream = new(MethodType.ClientStreaming, ServiceName, "ClientStream", StringMarshaller, StringMarshaller);
    public static readonly Method<string, string> Duplex = new(MethodType.DuplexStreaming, ServiceName, "Duplex", StringMarshaller, StringMarshaller);
    public static readonly Method<string, string> NotOverridden = new(MethodType.Unary, ServiceName, "NotOverridden", StringMarshaller, StringMarshaller);
    public static readonly Method<byte[], byte[]> Bytes = new(MethodType.Unary, ServiceName, "Bytes", BytesMarshaller, BytesMarshaller);
    public static readonly Method<byte[], byte[]> BytesStream = new(MethodType.ServerStreaming, ServiceName, "BytesStream", BytesMarshaller, BytesMarshaller);

    public static void BindService(ServiceBinderBase serviceBinder, TestServiceBase? serviceImpl)
    {
        serviceBinder.AddMethod(Unary, serviceImpl == null ? null : new UnaryServerMethod<string, string>(serviceImpl.Unary));
        serviceBinder.AddMethod(ServerStream, serviceImpl == null ? null : new ServerStreamingServerMethod<string, string>(serviceImpl.ServerStream));
        serviceBinder.AddMethod(ClientStream, serviceImpl == null ? null : new ClientStreamingServerMethod<string, string>(serviceImpl.ClientStream));
        serviceBinder.AddMethod(Duplex, serviceImpl == null ? null : new DuplexStreamingServerMethod<string, string>(serviceImpl.Duplex));
        serviceBinder.AddMethod(NotOverridden, serviceImpl == null ? null : new UnaryServerMethod<string, string>(serviceImpl.NotOverridden));
        serviceBinder.AddMethod(Bytes, serviceImpl == null ? null : new UnaryServerMethod<byte[], byte[]>(serviceImpl.Bytes));
        serviceBinder.AddMethod(BytesStream, serviceImpl == null ? null : new ServerStreamingServerMethod<byte[], byte[]>(serviceImpl.BytesStream));
    }
}
