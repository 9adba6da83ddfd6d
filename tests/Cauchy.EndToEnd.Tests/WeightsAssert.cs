using System.Globalization;
using Xunit;

namespace Cauchy.EndToEnd.Tests;

public static class WeightsAssert
{
    /// <summary>
    /// The same tensors (names, dtypes, shapes) with byte-identical data. The file bytes themselves differ: the
    /// metadata names the job that trained them.
    /// </summary>
    public static void Equal(Safetensors expected, Safetensors actual)
    {
        Assert.Equal(expected.Tensors.Keys.Order(StringComparer.Ordinal), actual.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Metadata.GetValueOrDefault("step"), actual.Metadata.GetValueOrDefault("step"));
        var differing = new List<string>();
        foreach (var (name, tensor) in expected.Tensors)
        {
            Safetensors.Tensor other = actual.Tensors[name];
            Assert.Equal(tensor.DType, other.DType);
            Assert.Equal(tensor.Shape, other.Shape);
            if (!tensor.Data.Span.SequenceEqual(other.Data.Span))
            {
                string detail = tensor.DType == "F32"
                    ? string.Create(CultureInfo.InvariantCulture, $" (largest difference {tensor.Floats().Zip(other.Floats(), (a, b) => Math.Abs(a - b)).Max():G6})")
                    : "";
                differing.Add(name + detail);
            }
        }

        Assert.True(differing.Count == 0, $"{differing.Count} of {expected.Tensors.Count} tensors differ: {string.Join("; ", differing)}");
    }
}
