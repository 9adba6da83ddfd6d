namespace Cauchy.Platform.Tests.Node;

/// <summary>One ServerReflectionResponse: which kind it was, whether it echoed the request, and its decoded content.</summary>
public sealed record ReflectionAnswer(
    string? Kind,
    bool EchoesRequest,
    List<string>? Services,
    List<ReflectedFile>? Files,
    int? ErrorCode,
    string? ErrorMessage)
{
    public override string ToString() =>
        Kind switch
        {
            "list_services_response" => $"services [{string.Join(", ", Services ?? [])}]",
            "file_descriptor_response" => $"files [{string.Join(", ", (Files ?? []).Select(f => f.Name))}]",
            "error_response" => $"error {ErrorCode}: {ErrorMessage}",
            _ => $"unexpected answer kind '{Kind}'",
        };
}
