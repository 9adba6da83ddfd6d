using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Cauchy.Grpc.Tests.Server.Infrastructure;

/// <summary>
/// Shaped like generated code for a service from a .proto file: the outer class exposes the service's
/// protobuf Descriptor (built here from a FileDescriptorProto, so no protoc run is needed).
/// </summary>
public static class Described
{
    public const string ServiceName = "cauchy.test.Described";

    private static readonly Lazy<FileDescriptor> File = new(() =>
    {
        var file = new FileDescriptorProto { Name = "cauchy/test/described.proto", Package = "cauchy.test", Syntax = "proto3" };
        file.MessageType.Add(new DescriptorProto { Name = "Empty" });
        var service = new ServiceDescriptorProto { Name = "Described" };
        service.Method.Add(new MethodDescriptorProto { Name = "Ping", InputType = ".cauchy.test.Empty", OutputType = ".cauchy.test.Empty" });
        file.Service.Add(service);
        return FileDescriptor.BuildFromByteStrings([file.ToByteString()])[0];
    });

    public static readonly Method<string, string> Ping = new(MethodType.Unary, ServiceName, "Ping", TestServiceDefinition.StringMarshaller, TestServiceDefinition.StringMarshaller);

    public static ServiceDescriptor Descriptor => File.Value.Services[0];

    public static void BindService(ServiceBinderBase serviceBinder, DescribedBase? serviceImpl) =>
        serviceBinder.AddMethod(Ping, serviceImpl == null ? null : new UnaryServerMethod<string, string>(serviceImpl.Ping));

    [BindServiceMethod(typeof(Described), nameof(BindService))]
    public abstract class DescribedBase
    {
        public virtual Task<string> Ping(string request, ServerCallContext context) =>
            throw new RpcException(new Status(StatusCode.Unimplemented, ""));
    }
}

public sealed class DescribedService : Described.DescribedBase
{
    public override Task<string> Ping(string request, ServerCallContext context) => Task.FromResult("pong");
}
