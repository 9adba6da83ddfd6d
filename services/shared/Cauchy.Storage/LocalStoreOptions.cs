namespace Cauchy.Storage;

/// <summary>Configuration section "Storage:Local".</summary>
public sealed record LocalStoreOptions
{
    /// <summary>Directory that holds the objects; relative paths resolve against the working directory.</summary>
    public string Root { get; init; } = "data/objects";

    /// <summary>
    /// Temporary files of writes older than this are leftovers of a crashed process and are removed when a
    /// store opens the root. Younger ones may belong to another process writing right now, so they stay.
    /// </summary>
    public TimeSpan SweepTemporaryFilesOlderThan { get; init; } = TimeSpan.FromHours(1);
}
