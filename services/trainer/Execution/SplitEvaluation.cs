using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>
/// An evaluation the metrics service stored, with the numbers the job files from it under the name of the split it
/// was computed on: <c>validation/accuracy</c> for the validation split, <c>test/accuracy</c> for the test split.
/// </summary>
public sealed record SplitEvaluation(Split Split, int Epoch, Evaluation Evaluation, IReadOnlyDictionary<string, double> Values)
{
    public string SplitName { get; } = NameOf(Split);

    /// <summary>The values as metric names: <c>&lt;split&gt;/&lt;name&gt;</c>.</summary>
    public IEnumerable<KeyValuePair<string, double>> Metrics => Values.Select(v => KeyValuePair.Create($"{SplitName}/{v.Key}", v.Value));

    public static string NameOf(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        Split.Test => "test",
        _ => "unspecified",
    };
}
