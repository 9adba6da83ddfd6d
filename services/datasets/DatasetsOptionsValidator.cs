using Microsoft.Extensions.Options;

namespace Cauchy.Datasets;

/// <summary>
/// Rejects <see cref="DatasetsOptions"/> the service cannot work with, naming each key at fault, so that a bad setting
/// stops the service at start-up instead of failing every import later.
/// </summary>
public sealed class DatasetsOptionsValidator : IValidateOptions<DatasetsOptions>
{
    public ValidateOptionsResult Validate(string? name, DatasetsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.WorkDirectory))
        {
            failures.Add("Datasets:WorkDirectory is empty; it must name a folder.");
        }

        Positive(failures, "Archive:MaxArchiveBytes", options.Archive.MaxArchiveBytes);
        Positive(failures, "Archive:MaxExtractedBytes", options.Archive.MaxExtractedBytes);
        Positive(failures, "Archive:MaxEntryBytes", options.Archive.MaxEntryBytes);
        Positive(failures, "Archive:MaxEntries", options.Archive.MaxEntries);
        Positive(failures, "Archive:MaxExpansionRatio", options.Archive.MaxExpansionRatio);
        if (options.Archive.RatioCheckAfterBytes < 0)
        {
            failures.Add($"Datasets:Archive:RatioCheckAfterBytes is {options.Archive.RatioCheckAfterBytes}; it must not be negative.");
        }

        Positive(failures, "Shards:MaxSamples", options.Shards.MaxSamples);
        Positive(failures, "Shards:MaxBytes", options.Shards.MaxBytes);
        if (options.AbandonImportsAfter < TimeSpan.Zero)
        {
            failures.Add($"Datasets:AbandonImportsAfter is {options.AbandonImportsAfter}; it must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, double value)
    {
        if (!(value > 0))
        {
            failures.Add($"Datasets:{key} is {value}; it must be > 0.");
        }
    }
}
