using Google.Protobuf.Reflection;
using Xunit.Sdk;

namespace Cauchy.Grpc.Tests.Standard.Support;

/// <summary>
/// Orders reflected files so each comes after the files it imports, as
/// <see cref="FileDescriptor.BuildFromByteStrings(IEnumerable{Google.Protobuf.ByteString})"/> needs:
/// what a generic client does with a reflection answer.
/// </summary>
internal static class DescriptorOrder
{
    /// <summary>Fails the test when a file imports one that is not in <paramref name="protos"/>: reflection must send the whole closure.</summary>
    public static IReadOnlyList<FileDescriptorProto> DependenciesFirst(IEnumerable<FileDescriptorProto> protos)
    {
        var byName = protos.ToDictionary(proto => proto.Name, StringComparer.Ordinal);
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<FileDescriptorProto>();
        void Visit(FileDescriptorProto proto)
        {
            if (!emitted.Add(proto.Name))
            {
                return;
            }
            foreach (var dependency in proto.Dependency)
            {
                Visit(byName.TryGetValue(dependency, out var found)
                    ? found
                    : throw new XunitException($"{proto.Name} imports {dependency}, which was not sent."));
            }
            ordered.Add(proto);
        }
        foreach (var proto in byName.Values)
        {
            Visit(proto);
        }
        return ordered;
    }
}
