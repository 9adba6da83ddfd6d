using Cauchy.Domain;

namespace Cauchy.Registry.Domain;

/// <summary>The registry's refusals, each a kind and a sentence that names what is wrong.</summary>
public static class RegistryErrors
{
    public static DomainException InvalidArgument(string field, string problem) =>
        new(DomainErrorKind.InvalidArgument, $"{field}: {problem}") { Field = field };

    public static DomainException ModelNotFound(string name) =>
        DomainException.NotFound($"Model '{name}' does not exist.");

    public static DomainException VersionNotFound(string model, int number) =>
        DomainException.NotFound($"Model '{model}' has no version {number}.");

    public static DomainException VersionIdNotFound(string versionId) =>
        DomainException.NotFound($"No model version has version_id '{versionId}'.");

    public static DomainException ModelExists(string name) =>
        DomainException.AlreadyExists($"Model '{name}' already exists.");

    public static DomainException FailedPrecondition(string message) =>
        DomainException.FailedPrecondition(message);

    public static DomainException AlreadyExists(string message) =>
        DomainException.AlreadyExists(message);
}
