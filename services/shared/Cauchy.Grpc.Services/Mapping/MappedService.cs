using Google.Protobuf.Reflection;

namespace Cauchy.Grpc.Services.Mapping;

/// <summary>
/// A gRPC service the server exposes: its full name ("package.Service") and, when it was generated
/// from a .proto file, its descriptor (services built by hand have none; reflection still lists them).
/// </summary>
internal readonly record struct MappedService(string FullName, ServiceDescriptor? Descriptor);
