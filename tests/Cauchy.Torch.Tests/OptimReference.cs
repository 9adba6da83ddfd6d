using System.Text.Json;
using Xunit;

namespace Cauchy.Torch.Tests;

// The problem reference/optim_reference.py trains, and helpers to compare against its recorded values.
internal static class OptimReference
{
    internal static readonly JsonElement Root = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "optim_reference.json"))).RootElement;

    internal static (Tensor X, Tensor W, Tensor B) Problem()
    {
        torch.manual_seed(0);
        Tensor x = torch.randn([5, 4]);
        Tensor w = torch.randn([4, 3]);
        Tensor b = torch.randn([3]);
        w.requires_grad = true;
        b.requires_grad = true;
        return (x, w, b);
    }

    // loss = mean(relu(y) * y) + mean(y * y), y = x @ w + b: the script's loss, op for op.
    internal static Tensor Loss(Tensor x, Tensor w, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        Tensor y = x.matmul(w) + b;
        Tensor loss = ((y.relu() * y).mean() + (y * y).mean()).MoveToOuterDisposeScope();
        return loss;
    }

    internal static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    // Same libtorch kernels in the same order: anything beyond float32 rounding noise is a real divergence.
    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = 1e-6f * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
