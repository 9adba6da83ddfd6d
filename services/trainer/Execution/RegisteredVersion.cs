using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>The model version the registry stored for the trained weights.</summary>
public sealed record RegisteredVersion(ModelVersion Version)
{
    public ModelVersionRef Reference { get; } = new() { ModelName = Version.ModelName, Version = Version.Version, VersionId = Version.VersionId };
}
