using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cauchy.Grpc.Services.Reflection;

/// <summary>
/// Everything reflection can answer about a set of services, looked up by name: the files that
/// declare them and every file those import (transitively), the symbols those files declare, and
/// the extensions they define. Immutable once built, so one index can serve many requests at once.
/// </summary>
internal sealed class DescriptorIndex
{
    private readonly Dictionary<string, FileDescriptor> _filesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _filesBySymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<int, FieldDescriptor>> _extensionsByExtendee = new(StringComparer.Ordinal);
    private readonly HashSet<string> _messageTypes = new(StringComparer.Ordinal);

    private DescriptorIndex(IReadOnlyList<string> serviceNames) => ServiceNames = serviceNames;

    /// <summary>The full names of the services, in the order they were given.</summary>
    public IReadOnlyList<string> ServiceNames { get; }

    /// <summary>Indexes <paramref name="serviceNames"/> and the files that declare <paramref name="services"/>.</summary>
    public static DescriptorIndex Build(IEnumerable<string> serviceNames, IEnumerable<ServiceDescriptor> services)
    {
        ArgumentNullException.ThrowIfNull(serviceNames);
        ArgumentNullException.ThrowIfNull(services);
        var index = new DescriptorIndex(serviceNames.Distinct(StringComparer.Ordinal).ToArray());
        foreach (var service in services)
        {
            index.AddFile(service.File);
        }
        return index;
    }

    public FileDescriptor? FindFileByName(string fileName) =>
        _filesByName.GetValueOrDefault(fileName);

    /// <summary>
    /// The file declaring a fully-qualified symbol: a service, method, message (nested ones too),
    /// field, oneof, enum, enum value (scoped like protoc: a sibling of its enum) or extension.
    /// A leading '.' (the form used inside descriptors) is accepted.
    /// </summary>
    public FileDescriptor? FindFileContainingSymbol(string symbol) =>
        _filesBySymbol.GetValueOrDefault(symbol.StartsWith('.') ? symbol[1..] : symbol);

    /// <summary>True when <paramref name="messageType"/> is a message this index knows, extended or not.</summary>
    public bool IsKnownMessageType(string messageType) => _messageTypes.Contains(Trim(messageType));

    public FieldDescriptor? FindExtension(string extendee, int fieldNumber) =>
        _extensionsByExtendee.TryGetValue(Trim(extendee), out var byNumber) ? byNumber.GetValueOrDefault(fieldNumber) : null;

    /// <summary>The field numbers of the known extensions of <paramref name="extendee"/>, ascending.</summary>
    public IReadOnlyList<int> ExtensionNumbersOf(string extendee) =>
        _extensionsByExtendee.TryGetValue(Trim(extendee), out var byNumber) ? byNumber.Keys.Order().ToArray() : [];

    /// <summary>
    /// <paramref name="file"/>'s serialized FileDescriptorProto first, then those of every file it
    /// imports, transitively and each once: a client can build the file only with all of them, and
    /// tools such as grpcurl take the first entry as the file they asked for.
    /// </summary>
    public static IReadOnlyList<ByteString> SerializeWithDependencies(FileDescriptor file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var result = new List<ByteString>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (!seen.Add(next.Name))
            {
                continue;
            }
            result.Add(next.SerializedData);
            // Reversed so the first import comes out first, keeping the order readable and stable.
            for (var i = next.Dependencies.Count - 1; i >= 0; i--)
            {
                pending.Push(next.Dependencies[i]);
            }
        }
        return result;
    }

    private static string Trim(string name) => name.StartsWith('.') ? name[1..] : name;

    private void AddFile(FileDescriptor file)
    {
        // TryAdd: a file reached twice (two services in one file, a shared import) is indexed once.
        if (!_filesByName.TryAdd(file.Name, file))
        {
            return;
        }
        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency);
        }
        foreach (var service in file.Services)
        {
            AddSymbol(service.FullName, file);
            foreach (var method in service.Methods)
            {
                AddSymbol(method.FullName, file);
            }
        }
        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file);
        }
        foreach (var enumType in file.EnumTypes)
        {
            AddEnum(enumType, file.Package, file);
        }
        AddExtensions(file.Extensions, file);
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        AddSymbol(message.FullName, file);
        _messageTypes.Add(message.FullName);
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            AddSymbol(field.FullName, file);
        }
        foreach (var oneof in message.Oneofs)
        {
            AddSymbol(oneof.FullName, file);
        }
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }
        foreach (var enumType in message.EnumTypes)
        {
            AddEnum(enumType, message.FullName, file);
        }
        AddExtensions(message.Extensions, file);
    }

    private void AddEnum(EnumDescriptor enumType, string scope, FileDescriptor file)
    {
        AddSymbol(enumType.FullName, file);
        foreach (var value in enumType.Values)
        {
            // Protobuf scopes enum values beside their enum, not inside it (C++ rules).
            AddSymbol(scope.Length == 0 ? value.Name : $"{scope}.{value.Name}", file);
        }
    }

    private void AddExtensions(ExtensionCollection extensions, FileDescriptor file)
    {
        foreach (var extension in extensions.UnorderedExtensions)
        {
            AddSymbol(extension.FullName, file);
            if (!_extensionsByExtendee.TryGetValue(extension.ExtendeeType.FullName, out var byNumber))
            {
                _extensionsByExtendee[extension.ExtendeeType.FullName] = byNumber = [];
            }
            byNumber.TryAdd(extension.FieldNumber, extension);
        }
    }

    private void AddSymbol(string symbol, FileDescriptor file) => _filesBySymbol.TryAdd(symbol, file);
}
