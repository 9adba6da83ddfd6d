using Cauchy.Metrics.Segmentation;
using Microsoft.Extensions.Options;

namespace Cauchy.Metrics.Evaluations;

/// <summary>Rejects <see cref="EvaluationLimits"/> the service cannot work with, naming each key at fault, so a bad setting stops it at start-up.</summary>
public sealed class EvaluationLimitsValidator : IValidateOptions<EvaluationLimits>
{
    /// <summary>
    /// The most classes any setting may allow: the confusion matrix (classes² counts) is sent in one message, whose
    /// count must fit a protobuf repeated field and whose encoding must fit the 64 MiB message limit of the clients.
    /// </summary>
    public const int ClassesCeiling = 4096;

    public ValidateOptionsResult Validate(string? name, EvaluationLimits options)
    {
        var failures = new List<string>();
        if (options.MaxClasses is < 1 or > ClassesCeiling)
        {
            failures.Add($"{EvaluationLimits.SectionName}:MaxClasses is {options.MaxClasses}; it must be between 1 and {ClassesCeiling}.");
        }

        if (options.MaxImagePixels < 1 || options.MaxImagePixels > MaskPixels.MaxPixels)
        {
            failures.Add($"{EvaluationLimits.SectionName}:MaxImagePixels is {options.MaxImagePixels}; it must be between 1 and {MaskPixels.MaxPixels}.");
        }

        if (options.MaxSamples < 1)
        {
            failures.Add($"{EvaluationLimits.SectionName}:MaxSamples is {options.MaxSamples}; it must be ≥ 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
