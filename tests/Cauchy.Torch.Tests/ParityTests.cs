using System.Text.Json;
using Xunit;

namespace Cauchy.Torch.Tests;

// Compares against values PyTorch printed for the same seeds (reference/parity_reference.py, run with Debian's
// python3-torch on the same libtorch); recorded so the test needs no Python.
public class ParityTests
{
    private static readonly JsonElement Reference = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "parity_reference.json"))).RootElement;

    [Fact]
    public void Randn_WithSeedZero_EqualsPyTorchBitForBit()
    {
        torch.manual_seed(0);
        using Tensor t = torch.randn([3, 4]);

        Assert.Equal(Expected("randn_seed0_3x4"), t.ToArray<float>());
    }

    [Fact]
    public void Matmul_OfSeededRandn_EqualsPyTorch()
    {
        torch.manual_seed(42);
        using Tensor a = torch.randn([2, 3]);
        using Tensor b = torch.randn([3, 4]);

        using Tensor product = a.matmul(b);

        Assert.Equal([2L, 4L], product.shape);
        AssertClose(Expected("matmul_seed42_2x3_3x4"), product.ToArray<float>());
    }

    [Fact]
    public void MeanReluSquare_LossAndGradient_EqualPyTorch()
    {
        JsonElement reference = Reference.GetProperty("mean_relu_square_seed7_5");
        torch.manual_seed(7);
        using Tensor x = torch.randn([5]);
        x.requires_grad = true;

        using Tensor squares = x * x;
        using Tensor activated = squares.relu();
        using Tensor loss = activated.mean();
        loss.backward();
        using Tensor? grad = x.grad;

        Assert.Equal(Floats(reference.GetProperty("x")), x.ToArray<float>());
        AssertClose([(float)reference.GetProperty("loss").GetDouble()], [loss.item<float>()]);
        Assert.NotNull(grad);
        AssertClose(Floats(reference.GetProperty("grad")), grad.ToArray<float>());
    }

    private static float[] Expected(string name) => Floats(Reference.GetProperty(name));

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    // Same libtorch and one kernel path: any difference beyond float32 rounding noise means a real divergence.
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = 1e-6f * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
