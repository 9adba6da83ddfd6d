namespace Cauchy.Platform.Tests.Node;

/// <summary>A FileDescriptorProto as protobufjs decoded it from the reflection answer's bytes.</summary>
public sealed record ReflectedFile(
    bool Decoded,
    int Bytes,
    string? Error,
    string? Name,
    string? Package,
    List<string>? Dependency,
    List<string>? MessageTypes,
    List<ReflectedService>? Services);
