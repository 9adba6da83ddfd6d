namespace Cauchy.Metrics.Classification;

/// <summary>The result of a classification evaluation (see <see cref="ClassificationAccumulator"/>).</summary>
/// <param name="ConfusionMatrix">NumClasses × NumClasses counts, row-major: [true * NumClasses + predicted].</param>
public sealed record ClassificationReport(
    long SampleCount,
    double Top1Accuracy,
    double Top5Accuracy,
    int TopK,
    double TopKAccuracy,
    IReadOnlyList<ClassScores> PerClass,
    AveragedScores MacroAverage,
    AveragedScores WeightedAverage,
    int NumClasses,
    IReadOnlyList<long> ConfusionMatrix);

/// <summary>Top-1 scores of one class; <paramref name="Support"/> counts the samples whose true class it is.</summary>
public sealed record ClassScores(int ClassId, double Precision, double Recall, double F1, long Support);

public sealed record AveragedScores(double Precision, double Recall, double F1);
