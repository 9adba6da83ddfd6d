namespace Cauchy.Metrics.Voc;

/// <summary>What a detection counts as once matched within its image.</summary>
public enum VocOutcome : byte
{
    FalsePositive,
    TruePositive,

    /// <summary>Its best match is a difficult object: neither a true nor a false positive.</summary>
    Ignored,
}
