using Cauchy.V1;

namespace Cauchy.Datasets.Data;

/// <summary>A committed version as the dataset store keeps it: the proto, where its objects live, its manifest and statistics.</summary>
public sealed record StoredVersion(DatasetVersion Version, string ObjectPrefix, ShardManifest Manifest, DatasetStatistics Statistics);
