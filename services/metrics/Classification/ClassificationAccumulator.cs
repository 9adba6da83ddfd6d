using Cauchy.Domain;

namespace Cauchy.Metrics.Classification;

/// <summary>
/// Accumulates classification predictions batch by batch and computes top-1/top-k accuracy, per-class
/// precision, recall and F1, their macro and weighted averages, and the confusion matrix.
/// The confusion matrix is kept sparse (only the cells some sample fell in) beside per-class totals, so memory is
/// O(num_classes + cells seen) whatever the class count: 12,000 classes and one sample cost a few hundred kilobytes,
/// not a dense 12,000² matrix. Counts are 64-bit and added with checked arithmetic.
/// </summary>
/// <remarks>
/// The top-1 prediction is the first index of the highest score (numpy's and PyTorch's argmax). For top-k,
/// ties are broken the same way: a class ranks after every class with a higher score and after every class
/// with an equal score and a lower index, so top-1 accuracy and the confusion matrix always agree.
/// Scores whose denominator is zero are 0, as scikit-learn's <c>zero_division=0</c>.
/// </remarks>
public sealed class ClassificationAccumulator
{
    private readonly Dictionary<long, long> _confusion = [];
    private readonly long[] _support;
    private readonly long[] _predicted;
    private readonly long[] _correct;
    private readonly int[] _topKs;
    private readonly long[] _topKHits;

    /// <param name="numClasses">Number of classes; every label and every score row refers to them.</param>
    /// <param name="extraTopK">Another k to report besides 1 and 5; 0 for none.</param>
    public ClassificationAccumulator(int numClasses, int extraTopK = 0)
    {
        if (numClasses < 1)
        {
            throw DomainException.InvalidArgument("class_names", "at least one class is required");
        }

        if (extraTopK < 0)
        {
            throw DomainException.InvalidArgument("classification.top_k", $"must not be negative, got {extraTopK}");
        }

        if ((long)numClasses * numClasses > Array.MaxLength)
        {
            throw DomainException.InvalidArgument("class_names", $"{numClasses} classes make a confusion matrix of {(long)numClasses * numClasses} counts, more than one list holds");
        }

        NumClasses = numClasses;
        Top5K = Math.Min(5, numClasses);
        ExtraTopK = extraTopK;
        _support = new long[numClasses];
        _predicted = new long[numClasses];
        _correct = new long[numClasses];
        _topKs = [Top5K, Math.Min(extraTopK, numClasses)];
        _topKHits = new long[_topKs.Length];
    }

    public int NumClasses { get; }

    /// <summary>The k of "top-5": 5, or the number of classes when there are fewer.</summary>
    public int Top5K { get; }

    public int ExtraTopK { get; }

    public long SampleCount { get; private set; }

    /// <summary>
    /// Adds a batch: <paramref name="scores"/> holds <c>labels.Length × NumClasses</c> values, row-major.
    /// A bad batch throws an INVALID_ARGUMENT <see cref="DomainException"/> naming the field and leaves the accumulator unchanged.
    /// </summary>
    public void Add(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        if (scores.Length != (long)labels.Length * NumClasses)
        {
            throw DomainException.InvalidArgument(
                "classification.scores",
                $"expected {labels.Length} samples x {NumClasses} classes = {(long)labels.Length * NumClasses} scores, got {scores.Length}");
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)NumClasses)
            {
                throw DomainException.InvalidArgument(
                    "classification.labels",
                    $"label {labels[i]} of sample {SampleCount + i} is outside the {NumClasses} classes (0..{NumClasses - 1})");
            }

            var row = scores.Slice(i * NumClasses, NumClasses);
            if (HasNaN(row))
            {
                throw DomainException.InvalidArgument("classification.scores", $"the scores of sample {SampleCount + i} contain NaN");
            }
        }

        for (var i = 0; i < labels.Length; i++)
        {
            var row = scores.Slice(i * NumClasses, NumClasses);
            var label = labels[i];
            var predicted = ArgMax(row);
            var cell = (long)label * NumClasses + predicted;
            _confusion[cell] = checked(_confusion.GetValueOrDefault(cell) + 1);
            _support[label] = checked(_support[label] + 1);
            _predicted[predicted] = checked(_predicted[predicted] + 1);
            if (predicted == label)
            {
                _correct[label] = checked(_correct[label] + 1);
            }

            var rank = RankOf(row, label);
            for (var k = 0; k < _topKs.Length; k++)
            {
                if (rank < _topKs[k])
                {
                    _topKHits[k] = checked(_topKHits[k] + 1);
                }
            }
        }

        SampleCount = checked(SampleCount + labels.Length);
    }

    public ClassificationReport Compute()
    {
        var n = NumClasses;
        var perClass = new ClassScores[n];
        long correct = 0;
        for (var c = 0; c < n; c++)
        {
            var support = _support[c];
            var predicted = _predicted[c];
            var tp = _correct[c];
            correct += tp;
            var precision = Ratio(tp, predicted);
            var recall = Ratio(tp, support);
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass[c] = new ClassScores(c, precision, recall, f1, support);
        }

        var macro = new AveragedScores(
            perClass.Average(s => s.Precision), perClass.Average(s => s.Recall), perClass.Average(s => s.F1));
        var total = perClass.Sum(s => s.Support);
        var weighted = total == 0
            ? new AveragedScores(0, 0, 0)
            : new AveragedScores(
                perClass.Sum(s => s.Precision * s.Support) / total,
                perClass.Sum(s => s.Recall * s.Support) / total,
                perClass.Sum(s => s.F1 * s.Support) / total);

        return new ClassificationReport(
            SampleCount,
            Ratio(correct, SampleCount),
            Ratio(_topKHits[0], SampleCount),
            ExtraTopK,
            ExtraTopK == 0 ? 0 : Ratio(_topKHits[1], SampleCount),
            perClass,
            macro,
            weighted,
            n,
            new SparseConfusionMatrix(n, new Dictionary<long, long>(_confusion)));
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private static bool HasNaN(ReadOnlySpan<float> row)
    {
        foreach (var value in row)
        {
            if (float.IsNaN(value))
            {
                return true;
            }
        }

        return false;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>0-based position of <paramref name="label"/> when the row is sorted by score, ties by index.</summary>
    private static int RankOf(ReadOnlySpan<float> row, int label)
    {
        var score = row[label];
        var rank = 0;
        for (var j = 0; j < row.Length; j++)
        {
            if (row[j] > score || (row[j] == score && j < label))
            {
                rank++;
            }
        }

        return rank;
    }
}
