using Grpc.Core;

namespace Cauchy.Grpc.Tests.Client.Infrastructure;

/// <summary>Hand-built methods of the raw server's "test.Svc" service, with string or byte[] messages.</summary>
public static class TestMethods
{
    public const string Service = "test.Svc";

    public static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    public static Method<string, string> Unary(string name) => new(MethodType.Unary, Service, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public static Method<string, string> ServerStreaming(string name) => new(MethodType.ServerStreaming, Service, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public static Method<string, string> ClientStreaming(string name) => new(MethodType.ClientStreaming, Service, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public static Method<string, string> Duplex(string name) => new(MethodType.DuplexStreaming, Service, name, Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    public static Method<byte[], byte[]> UnaryBytes(string name) => new(MethodType.Unary, Service, name, Bytes, Bytes);

    public static Method<string, byte[]> ServerStreamingBytes(string name) => new(MethodType.ServerStreaming, Service, name, Marshallers.StringMarshaller, Bytes);

    public static Method<byte[], string> ClientStreamingBytes(string name) => new(MethodType.ClientStreaming, Service, name, Bytes, Marshallers.StringMarshaller);
}
