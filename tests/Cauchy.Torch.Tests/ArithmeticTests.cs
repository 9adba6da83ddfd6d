using Xunit;

namespace Cauchy.Torch.Tests;

public class ArithmeticTests
{
    [Fact]
    public void ElementwiseOperators_MatchHandComputedValues()
    {
        using Tensor a = torch.tensor([1f, 2f, 3f, 4f], [2, 2]);
        using Tensor b = torch.tensor([10f, 20f, 30f, 40f], [2, 2]);

        using Tensor sum = a + b;
        using Tensor difference = a - b;
        using Tensor product = a * b;
        using Tensor quotient = b / a;

        Assert.Equal([11f, 22f, 33f, 44f], sum.ToArray<float>());
        Assert.Equal([-9f, -18f, -27f, -36f], difference.ToArray<float>());
        Assert.Equal([10f, 40f, 90f, 160f], product.ToArray<float>());
        Assert.Equal([10f, 10f, 10f, 10f], quotient.ToArray<float>());
    }

    [Fact]
    public void ScalarOperators_MatchHandComputedValues()
    {
        using Tensor a = torch.tensor([1f, -2f]);

        using Tensor plus = a + 1.5;
        using Tensor minus = a - 1;
        using Tensor from = 10 - a;
        using Tensor times = 3 * a;
        using Tensor negated = -a;

        Assert.Equal([2.5f, -0.5f], plus.ToArray<float>());
        Assert.Equal([0f, -3f], minus.ToArray<float>());
        Assert.Equal([9f, 12f], from.ToArray<float>());
        Assert.Equal([3f, -6f], times.ToArray<float>());
        Assert.Equal([-1f, 2f], negated.ToArray<float>());
    }

    [Fact]
    public void Broadcasting_FollowsPyTorchRules()
    {
        using Tensor matrix = torch.tensor([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        using Tensor row = torch.tensor([100f, 200f, 300f], [3]);

        using Tensor result = matrix + row;

        Assert.Equal([2L, 3L], result.shape);
        Assert.Equal([101f, 202f, 303f, 104f, 205f, 306f], result.ToArray<float>());
    }

    [Fact]
    public void Matmul_MatchesHandComputedProduct()
    {
        // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
        using Tensor a = torch.tensor([1.0, 2, 3, 4, 5, 6], [2, 3]);
        using Tensor b = torch.tensor([7.0, 8, 9, 10, 11, 12], [3, 2]);

        using Tensor product = torch.matmul(a, b);

        Assert.Equal([2L, 2L], product.shape);
        Assert.Equal([58.0, 64, 139, 154], product.ToArray<double>());
    }

    [Fact]
    public void Reductions_AndRelu_MatchHandComputedValues()
    {
        using Tensor a = torch.tensor([-1f, 2f, -3f, 6f], [2, 2]);

        using Tensor sum = a.sum();
        using Tensor mean = a.mean();
        using Tensor relu = a.relu();

        Assert.Empty(sum.shape);
        Assert.Equal(4f, sum.item<float>());
        Assert.Equal(1f, mean.item<float>());
        Assert.Equal([0f, 2f, 0f, 6f], relu.ToArray<float>());
    }

    [Fact]
    public void MixedDtypes_PromoteLikePyTorch()
    {
        using Tensor integers = torch.tensor([1L, 2L]);
        using Tensor floats = torch.tensor([0.5f, 0.5f]);

        using Tensor result = integers + floats;

        Assert.Equal(ScalarType.Float32, result.dtype);
        Assert.Equal([1.5f, 2.5f], result.ToArray<float>());
    }
}
