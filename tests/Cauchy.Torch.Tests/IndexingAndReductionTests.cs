using Xunit;

namespace Cauchy.Torch.Tests;

public class IndexingAndReductionTests
{
    // [[0, 1, 2], [3, 4, 5]]
    private static Tensor Matrix() => torch.arange(0.0, 6.0, 1.0, ScalarType.Float32).reshape(2, 3);

    [Fact]
    public void SumAndMean_OverOneDimension_MatchHandComputedValues()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor m = Matrix();

        Assert.Equal([3f, 5f, 7f], m.sum(0).ToArray<float>());
        Assert.Equal([1f, 4f], m.mean(1).ToArray<float>());
        Assert.Equal([2L, 1L], m.sum(-1, keepdim: true).shape);
        Assert.Equal([3f, 12f], m.sum(-1, keepdim: true).ToArray<float>());
    }

    [Fact]
    public void Argmax_GivesTheIndexOfTheLargestValue()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = torch.tensor([0.1f, 2f, -1f, 5f, 0f, 4.5f], [2, 3]);

        Tensor predicted = logits.argmax(1);

        Assert.Equal(ScalarType.Int64, predicted.dtype);
        Assert.Equal([1L, 0L], predicted.ToArray<long>());
    }

    [Fact]
    public void IndexerSelectAndNarrow_AreViewsWithPyTorchSemantics()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor m = Matrix();

        Assert.Equal([3f, 4f, 5f], m[1].ToArray<float>());
        Assert.Equal([0f, 1f, 2f], m[-2].ToArray<float>());
        Assert.Equal([2f, 5f], m.select(1, -1).ToArray<float>());
        Tensor columns = m.narrow(1, 1, 2);
        Assert.Equal([2L, 2L], columns.shape);
        Assert.Equal([1f, 2f, 4f, 5f], columns.ToArray<float>());
    }

    [Fact]
    public void Indexing_OutOfRange_RaisesTorchExceptionNamingTheIndex()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor m = Matrix();

        var error = Assert.Throws<TorchException>(() => m[5]);
        Assert.Contains("5", error.Message);
        Assert.Throws<TorchException>(() => m.narrow(1, 2, 5));
        Assert.Throws<TorchException>(() => m.sum(3));
    }

    [Fact]
    public void Gradient_FlowsThroughASelectedRow()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor m = Matrix();
        m.requires_grad = true;

        Tensor loss = (m[1] * 2).sum();
        loss.backward();

        Assert.Equal([0f, 0f, 0f, 2f, 2f, 2f], m.grad!.ToArray<float>());
    }
}
