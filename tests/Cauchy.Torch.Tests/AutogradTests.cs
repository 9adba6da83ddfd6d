using Xunit;

namespace Cauchy.Torch.Tests;

public class AutogradTests
{
    [Fact]
    public void Backward_OfSumOfSquares_GivesTwiceTheInput()
    {
        float[] values = [1f, -2f, 0.5f, 3f];
        using Tensor x = torch.tensor(values, [2, 2]);
        x.requires_grad = true;

        using Tensor squares = x * x;
        using Tensor y = squares.sum();
        y.backward();

        using Tensor? grad = x.grad;
        Assert.NotNull(grad);
        Assert.Equal([2L, 2L], grad.shape);
        Assert.Equal(values.Select(v => 2 * v).ToArray(), grad.ToArray<float>());
    }

    [Fact]
    public void InPlaceReluAndAdd_GiveTheGradientsOfTheirOutOfPlaceForms()
    {
        float[] values = [1f, -2f, 0.5f, -3f];
        float[] residual = [-2f, 1f, 1f, 4f];
        using Tensor x = torch.tensor(values, [2, 2]);
        using Tensor identity = torch.tensor(residual, [2, 2]);
        x.requires_grad = true;
        identity.requires_grad = true;

        // relu_(x * 2 + identity), as a residual block's `relu(out += identity)`.
        using Tensor doubled = x * 2.0;
        Tensor same = nn.functional.relu_(doubled.add_(identity));
        using Tensor loss = (same * same).sum();
        loss.backward();

        Assert.Same(doubled, same);
        float[] expected = values.Zip(residual, (v, r) => Math.Max(0f, (2 * v) + r)).ToArray();
        Assert.Equal(expected, doubled.ToArray<float>());
        using Tensor? gradX = x.grad;
        using Tensor? gradIdentity = identity.grad;
        Assert.Equal(expected.Select(e => 4 * e).ToArray(), gradX!.ToArray<float>());
        Assert.Equal(expected.Select(e => 2 * e).ToArray(), gradIdentity!.ToArray<float>());
    }

    [Fact]
    public void InPlaceRelu_OnALeafThatRequiresGrad_RaisesTorchException()
    {
        using Tensor x = torch.ones([3]);
        x.requires_grad = true;

        var error = Assert.Throws<TorchException>(() => nn.functional.relu_(x));

        Assert.Contains("in-place", error.Message);
    }

    [Fact]
    public void Grad_IsNullBeforeBackwardAndFlagsPropagate()
    {
        using Tensor x = torch.ones([3]);
        using Tensor constant = torch.ones([3]);
        Assert.False(x.requires_grad);
        x.requires_grad = true;

        using Tensor y = x * constant;

        Assert.True(x.requires_grad);
        Assert.True(y.requires_grad);
        Assert.False(constant.requires_grad);
        Assert.Null(x.grad);
    }

    [Fact]
    public void Backward_AccumulatesAcrossCalls()
    {
        using Tensor x = torch.tensor([3.0]);
        x.requires_grad = true;

        for (int i = 0; i < 2; i++)
        {
            using Tensor y = (x * x).sum();
            y.backward();
        }

        using Tensor? grad = x.grad;
        Assert.NotNull(grad);
        Assert.Equal([12.0], grad.ToArray<double>());
    }

    [Fact]
    public void Backward_ThroughMatmulAndRelu_MatchesHandComputedGradient()
    {
        // loss = sum(relu(w @ v)); w = [[1,-1],[2,1]], v = [1,2] -> w@v = [-1, 4], relu mask [0,1]
        // d loss / d w = mask ⊗ v = [[0,0],[1,2]]
        using Tensor w = torch.tensor([1f, -1f, 2f, 1f], [2, 2]);
        using Tensor v = torch.tensor([1f, 2f], [2, 1]);
        w.requires_grad = true;

        using Tensor product = w.matmul(v);
        using Tensor activated = product.relu();
        using Tensor loss = activated.sum();
        loss.backward();

        using Tensor? grad = w.grad;
        Assert.NotNull(grad);
        Assert.Equal([0f, 0f, 1f, 2f], grad.ToArray<float>());
    }

    [Fact]
    public void Backward_OnANonScalar_RaisesLibtorchsMessage()
    {
        using Tensor x = torch.ones([2]);
        x.requires_grad = true;
        using Tensor y = x * 2;

        var error = Assert.Throws<TorchException>(() => y.backward());
        Assert.Contains("scalar outputs", error.Message);
    }
}
