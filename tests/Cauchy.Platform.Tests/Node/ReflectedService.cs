namespace Cauchy.Platform.Tests.Node;

/// <summary>A ServiceDescriptorProto inside a reflected file.</summary>
public sealed record ReflectedService(string Name, List<ReflectedMethod> Methods);
