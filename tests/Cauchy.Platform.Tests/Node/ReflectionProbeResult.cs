using System.Text.Json;

namespace Cauchy.Platform.Tests.Node;

/// <summary>
/// One reflection session: list_services, file_containing_symbol for the service, file_containing_symbol for every
/// listed service (name → file names, or the error as text), an unknown symbol, and file_by_filename of the service's file.
/// </summary>
public sealed record ReflectionProbeResult(
    string Version,
    ReflectionAnswer ListServices,
    ReflectionAnswer Symbol,
    Dictionary<string, JsonElement> Describable,
    ReflectionAnswer UnknownSymbol,
    ReflectionAnswer? ByFilename);
