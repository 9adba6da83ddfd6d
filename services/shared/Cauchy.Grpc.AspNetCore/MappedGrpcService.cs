using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Cauchy.Grpc.AspNetCore;

/// <summary>
/// A gRPC service mapped with <c>MapGrpcService</c>: its full name ("cauchy.v1.Datasets"), the class that
/// implements it, its methods, and its descriptor when the service was generated from a .proto file
/// (services bound by hand have none).
/// </summary>
public sealed record MappedGrpcService(string Name, Type ImplementationType, IReadOnlyList<IMethod> Methods, ServiceDescriptor? Descriptor);
