using System.Collections;

namespace Cauchy.Metrics.Classification;

/// <summary>
/// A NumClasses × NumClasses confusion matrix read as its dense row-major list, but stored as the cells that hold a
/// count: the dense form is only produced when it is enumerated (into the response), never kept.
/// </summary>
public sealed class SparseConfusionMatrix(int numClasses, IReadOnlyDictionary<long, long> cells) : IReadOnlyList<long>
{
    public int Count => checked(numClasses * numClasses);

    public long this[int index] =>
        (uint)index < (uint)Count ? cells.GetValueOrDefault(index) : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The count of samples of true class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int truth, int predicted] => cells.GetValueOrDefault((long)truth * numClasses + predicted);

    public IEnumerator<long> GetEnumerator()
    {
        var count = Count;
        for (var i = 0; i < count; i++)
        {
            yield return cells.GetValueOrDefault(i);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
