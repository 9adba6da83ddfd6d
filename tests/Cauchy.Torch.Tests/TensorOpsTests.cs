using Xunit;

namespace Cauchy.Torch.Tests;

public class TensorOpsTests
{
    [Fact]
    public void CatAndStack_JoinAlongDimensions()
    {
        using var scope = torch.NewDisposeScope();
        Tensor a = torch.tensor([1f, 2, 3, 4], [2, 2]);
        Tensor b = torch.tensor([5f, 6], [1, 2]);

        Assert.Equal([1f, 2, 3, 4, 5, 6], torch.cat([a, b]).ToArray<float>());
        Tensor stacked = torch.stack([a, a], 1);
        Assert.Equal([2L, 2, 2], stacked.shape);
        Assert.Equal([1f, 2, 1, 2, 3, 4, 3, 4], stacked.ToArray<float>());
        Assert.Throws<TorchException>(() => torch.cat([a, torch.zeros([1, 3])]));
    }

    [Fact]
    public void ShapeOps_PermuteTransposeFlattenChunk()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.arange(0.0, 24.0).reshape(2, 3, 4);

        Assert.Equal([4L, 2, 3], x.permute(2, 0, 1).shape);
        Assert.Equal([2L, 4, 3], x.transpose(1, 2).shape);
        Assert.Equal([2L, 12], x.flatten(1).shape);
        Assert.Equal([1L, 2, 3, 4], x.unsqueeze(0).shape);
        Assert.Equal([2L, 3, 4], x.unsqueeze(0).squeeze(0).shape);
        Tensor[] chunks = x.chunk(2, dim: 2);
        Assert.Equal(2, chunks.Length);
        Assert.Equal([0f, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21], chunks[0].contiguous().ToArray<float>());
        Assert.Equal(3, x.chunk(3, dim: 1).Length);
    }

    [Fact]
    public void SoftmaxAndLogSoftmax_AreConsistent()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor([1f, 2, 3, 1, 1, 1], [2, 3]);

        Tensor p = x.softmax(1);
        Assert.True(p.sum(1).allclose(torch.ones([2])));
        Assert.True(x.log_softmax(1).exp().allclose(p));
        Assert.Equal([1f / 3, 1f / 3, 1f / 3], p[1].ToArray<float>());
    }

    [Fact]
    public void Comparisons_GiveBoolTensors()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor([1f, 2, 3]);
        Tensor y = torch.tensor([3f, 2, 1]);

        Assert.Equal([false, true, false], x.eq(y).ToArray<bool>());
        Assert.Equal([true, false, true], x.ne(y).ToArray<bool>());
        Assert.Equal([true, false, false], x.lt(y).ToArray<bool>());
        Assert.Equal([true, true, false], x.le(y).ToArray<bool>());
        Assert.Equal([false, false, true], x.gt(2).ToArray<bool>());
        Assert.Equal([false, true, true], x.ge(2).ToArray<bool>());
        Assert.Equal(ScalarType.Bool, x.eq(2).dtype);
    }

    [Fact]
    public void Topk_ReturnsValuesAndIndices()
    {
        using var scope = torch.NewDisposeScope();
        Tensor logits = torch.tensor([0.1f, 0.7f, 0.2f, 0.9f, 0.05f, 0.3f], [2, 3]);

        (Tensor values, Tensor indices) = logits.topk(2, dim: 1);

        Assert.Equal([0.7f, 0.2f, 0.9f, 0.3f], values.ToArray<float>());
        Assert.Equal([1L, 2, 0, 2], indices.ToArray<long>());
    }

    [Fact]
    public void InPlaceOps_WriteIntoTheSameTensor()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.zeros([3]);

        Assert.Same(x, x.fill_(2.5));
        Assert.Equal([2.5f, 2.5f, 2.5f], x.ToArray<float>());
        x.copy_(torch.tensor([1.0, 2.0, 3.0]));
        Assert.Equal([1f, 2, 3], x.ToArray<float>());
        x.zero_();
        Assert.Equal([0f, 0, 0], x.ToArray<float>());
        Assert.Throws<TorchException>(() => x.copy_(torch.zeros([4])));
    }

    [Fact]
    public void ElementwiseFunctions()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor([-4f, 1, 9]);

        Assert.Equal([4f, 1, 9], x.abs().ToArray<float>());
        Assert.Equal([2f, 1, 3], x.abs().sqrt().ToArray<float>());
        Assert.Equal([16f, 1, 81], x.pow(2).ToArray<float>());
        Assert.Equal([0f, 1, 6], x.clamp(0, 6).ToArray<float>());
        Assert.Equal([-4f, 1, 6], x.clamp(max: 6).ToArray<float>());
        Assert.Equal([-2f, 0.5f, 4.5f], (x / 2.0).ToArray<float>());
        Assert.Equal([0.5f], torch.zeros([1]).sigmoid().ToArray<float>());
        Assert.Equal(2f, x.mean([0]).item<float>(), 5);
    }
}
