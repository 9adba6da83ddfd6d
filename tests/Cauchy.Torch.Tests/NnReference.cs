using System.Text.Json;
using Xunit;

namespace Cauchy.Torch.Tests;

// Values PyTorch recorded for the nn tests (reference/nn_reference.py, run with Debian's python3-torch and
// python3-torchvision on the same libtorch), and the comparisons the tests share.
internal static class NnReference
{
    public static readonly JsonElement Root = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "nn_reference.json"))).RootElement;

    public static JsonElement Layer(string name) => Root.GetProperty("layers").GetProperty(name);

    public static JsonElement Loss(string name) => Root.GetProperty("losses").GetProperty(name);

    public static JsonElement Zoo(string name) => Root.GetProperty("zoo").GetProperty(name);

    public static JsonElement Forward(string name) => Root.GetProperty("forward").GetProperty(name);

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static long[] Longs(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    // The reference script's randn(seed, *shape, scale): seeded standard-normal input that requires grad.
    public static Tensor SeededInput(long seed, long[] shape, double scale = 1.0)
    {
        torch.manual_seed(seed);
        using Tensor raw = torch.randn(shape);
        Tensor x = raw * scale;
        x.requires_grad = true;
        return x;
    }

    // Same libtorch and kernels: differences beyond float32 rounding noise mean a real divergence.
    public static void AssertClose(float[] expected, float[] actual, float relative = 1e-6f, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = relative * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what} element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    public static void AssertClose(JsonElement expected, Tensor actual, float relative = 1e-6f, string what = "") =>
        AssertClose(Floats(expected), actual.ToArray<float>(), relative, what);
}
