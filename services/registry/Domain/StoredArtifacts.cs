using Cauchy.Storage;

namespace Cauchy.Registry.Domain;

/// <summary>Where a version's weights and model card were stored.</summary>
internal sealed record StoredArtifacts(ObjectInfo Weights, ObjectInfo Card);
