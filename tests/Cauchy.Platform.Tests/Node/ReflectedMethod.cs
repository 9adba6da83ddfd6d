namespace Cauchy.Platform.Tests.Node;

/// <summary>A MethodDescriptorProto: name, fully qualified (leading-dot) message types, streaming flags.</summary>
public sealed record ReflectedMethod(string Name, string InputType, string OutputType, bool ClientStreaming, bool ServerStreaming);
