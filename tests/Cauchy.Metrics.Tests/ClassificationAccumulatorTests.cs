using System.Text.Json;
using Cauchy.Domain;
using Cauchy.Metrics.Classification;
using Xunit;

namespace Cauchy.Metrics.Tests;

public sealed class ClassificationAccumulatorTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string> ReferenceCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in LoadReference().RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Matches_scikit_learn_on_recorded_cases(string name)
    {
        var c = LoadReference().RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var numClasses = c.GetProperty("num_classes").GetInt32();
        var scores = c.GetProperty("scores").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var labels = c.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var accumulator = new ClassificationAccumulator(numClasses, c.GetProperty("extra_top_k").GetInt32());

        // Feed in uneven batches, as a trainer streaming its predictions would.
        for (int start = 0, size = 1; start < labels.Length; start += size, size = size * 3 % 97 + 1)
        {
            var count = Math.Min(size, labels.Length - start);
            accumulator.Add(scores.AsSpan(start * numClasses, count * numClasses), labels.AsSpan(start, count));
        }

        var report = accumulator.Compute();

        Assert.Equal(labels.Length, report.SampleCount);
        Assert.Equal(c.GetProperty("top1_accuracy").GetDouble(), report.Top1Accuracy, Tolerance);
        Assert.Equal(c.GetProperty("top5_accuracy").GetDouble(), report.Top5Accuracy, Tolerance);
        Assert.Equal(c.GetProperty("top_k_accuracy").GetDouble(), report.TopKAccuracy, Tolerance);
        Assert.Equal(Longs(c, "confusion_matrix"), report.ConfusionMatrix);
        Assert.Equal(Longs(c, "support"), report.PerClass.Select(s => s.Support));
        AssertClose(Doubles(c, "precision"), report.PerClass.Select(s => s.Precision));
        AssertClose(Doubles(c, "recall"), report.PerClass.Select(s => s.Recall));
        AssertClose(Doubles(c, "f1"), report.PerClass.Select(s => s.F1));
        AssertAverage(c.GetProperty("macro"), report.MacroAverage);
        AssertAverage(c.GetProperty("weighted"), report.WeightedAverage);
    }

    [Fact]
    public void Ties_rank_by_class_index_so_top1_agrees_with_the_confusion_matrix()
    {
        var accumulator = new ClassificationAccumulator(numClasses: 6, extraTopK: 2);

        // All scores equal: argmax is class 0; class 1 is second, class 2 third.
        accumulator.Add(new float[6], [0]);
        accumulator.Add(new float[6], [1]);
        accumulator.Add(new float[6], [2]);
        var report = accumulator.Compute();

        Assert.Equal(1.0 / 3, report.Top1Accuracy, Tolerance);
        Assert.Equal(2.0 / 3, report.TopKAccuracy, Tolerance);
        Assert.Equal(1.0, report.Top5Accuracy, Tolerance);
        Assert.Equal(3, report.ConfusionMatrix.Where((count, index) => index % 6 == 0).Sum());
    }

    [Fact]
    public void A_bad_batch_names_the_problem_and_leaves_the_accumulator_unchanged()
    {
        var accumulator = new ClassificationAccumulator(numClasses: 3);
        accumulator.Add([0.1f, 0.9f, 0.0f], [1]);

        var wrongCount = Assert.Throws<DomainException>(() => accumulator.Add([0.1f, 0.9f], [1]));
        Assert.Equal("classification.scores", wrongCount.Field);
        Assert.Contains("expected 1 samples x 3 classes = 3 scores, got 2", wrongCount.Message);

        var badLabel = Assert.Throws<DomainException>(() => accumulator.Add([1, 0, 0, 0, 1, 0], [0, 3]));
        Assert.Equal("classification.labels", badLabel.Field);
        Assert.Contains("label 3 of sample 2 is outside the 3 classes", badLabel.Message);

        var nan = Assert.Throws<DomainException>(() => accumulator.Add([float.NaN, 0, 0], [0]));
        Assert.Contains("sample 1 contain NaN", nan.Message);

        var report = accumulator.Compute();
        Assert.Equal(1, report.SampleCount);
        Assert.Equal(1.0, report.Top1Accuracy);
        Assert.Equal([0L, 0, 0, 0, 1, 0, 0, 0, 0], report.ConfusionMatrix);
    }

    [Fact]
    public void Infinite_scores_are_ordinary_values()
    {
        var accumulator = new ClassificationAccumulator(numClasses: 3);
        accumulator.Add([float.NegativeInfinity, float.PositiveInfinity, 0], [1]);

        Assert.Equal(1.0, accumulator.Compute().Top1Accuracy);
    }

    [Fact]
    public void No_samples_gives_zero_scores_not_NaN()
    {
        var report = new ClassificationAccumulator(numClasses: 2).Compute();

        Assert.Equal(0, report.SampleCount);
        Assert.Equal(0, report.Top1Accuracy);
        Assert.All(report.PerClass, s => Assert.Equal(0, s.F1));
        Assert.Equal(0, report.WeightedAverage.F1);
    }

    [Theory]
    [InlineData(0, 0, "class_names")]
    [InlineData(3, -1, "classification.top_k")]
    public void Invalid_options_name_the_field(int numClasses, int topK, string field)
    {
        var error = Assert.Throws<DomainException>(() => new ClassificationAccumulator(numClasses, topK));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Fifty_thousand_classes_are_refused_as_invalid_and_do_not_overflow()
    {
        var error = Assert.Throws<DomainException>(() => new ClassificationAccumulator(50_000));

        Assert.Equal(DomainErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("2500000000 counts", error.Message);
    }

    [Fact]
    public void Twelve_thousand_classes_with_one_sample_take_memory_for_the_classes_not_their_square()
    {
        const int classes = 12_000;
        var scores = new float[classes];
        scores[7] = 1;
        var before = GC.GetAllocatedBytesForCurrentThread();

        var accumulator = new ClassificationAccumulator(classes);
        accumulator.Add(scores, [3]);
        var report = accumulator.Compute();

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4L << 20, $"allocated {allocated >> 20} MiB");
        Assert.Equal(classes * classes, report.ConfusionMatrix.Count);
        Assert.Equal(1, report.ConfusionMatrix[3 * classes + 7]);
        Assert.Equal(0, report.ConfusionMatrix[7 * classes + 3]);
        Assert.Equal(1, report.PerClass[3].Support);
        Assert.Equal(0, report.Top1Accuracy);
    }

    private static JsonDocument LoadReference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "classification_reference.json")));

    private static long[] Longs(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    private static double[] Doubles(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void AssertClose(double[] expected, IEnumerable<double> actual)
    {
        var values = actual.ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - values[i]) <= Tolerance, $"index {i}: expected {expected[i]}, got {values[i]}");
        }
    }

    private static void AssertAverage(JsonElement expected, AveragedScores actual)
    {
        Assert.Equal(expected.GetProperty("precision").GetDouble(), actual.Precision, Tolerance);
        Assert.Equal(expected.GetProperty("recall").GetDouble(), actual.Recall, Tolerance);
        Assert.Equal(expected.GetProperty("f1").GetDouble(), actual.F1, Tolerance);
    }
}
