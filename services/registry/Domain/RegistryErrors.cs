using Grpc.Core;

namespace Cauchy.Registry.Domain;

/// <summary>The registry's errors, each a status and a sentence that names what is wrong.</summary>
public static class RegistryErrors
{
    public static RpcException InvalidArgument(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));

    public static RpcException ModelNotFound(string name) =>
        new(new Status(StatusCode.NotFound, $"Model '{name}' does not exist."));

    public static RpcException VersionNotFound(string model, int number) =>
        new(new Status(StatusCode.NotFound, $"Model '{model}' has no version {number}."));

    public static RpcException VersionIdNotFound(string versionId) =>
        new(new Status(StatusCode.NotFound, $"No model version has version_id '{versionId}'."));

    public static RpcException ModelExists(string name) =>
        new(new Status(StatusCode.AlreadyExists, $"Model '{name}' already exists."));

    public static RpcException FailedPrecondition(string message) =>
        new(new Status(StatusCode.FailedPrecondition, message));

    public static RpcException AlreadyExists(string message) =>
        new(new Status(StatusCode.AlreadyExists, message));
}
