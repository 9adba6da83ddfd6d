using Cauchy.Datasets.Data;
using Cauchy.V1;

namespace Cauchy.Datasets.Import;

/// <summary>What an import produced: the stored (or already existing) version and the validation report.</summary>
public sealed record ImportOutcome(StoredVersion Version, ValidationReport Report, bool AlreadyExisted);
