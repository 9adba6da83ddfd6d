using System.Text.Json;
using Cauchy.Torch.Models;
using Xunit;

namespace Cauchy.Torch.Tests;

// Every zoo architecture against torchvision 0.14 (values recorded by reference/nn_reference.py): parameter
// counts, state_dict keys and shapes in torchvision's order, and initial weights for the same seed.
public class ModelZooTests
{
    [Theory]
    [InlineData("small_cnn", 421_834L)]
    [InlineData("resnet18", 11_689_512L)]
    [InlineData("resnet34", 21_797_672L)]
    [InlineData("resnet18_small_stem", 11_172_810L)]
    [InlineData("vgg11_bn", 132_868_840L)]
    [InlineData("vgg16_bn", 138_365_992L)]
    [InlineData("shufflenet_v2_x0_5", 1_366_792L)]
    [InlineData("shufflenet_v2_x1_0", 2_278_604L)]
    [InlineData("mobilenet_v2", 3_504_872L)]
    public void Model_MatchesTorchvision_CountKeysShapesAndInitialWeights(string reference, long parameters)
    {
        JsonElement expected = NnReference.Zoo(reference);
        Assert.Equal(parameters, expected.GetProperty("parameters").GetInt64());
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using nn.Module<Tensor, Tensor> model = ModelZoo.Create(expected.GetProperty("model").GetString()!, Options(expected.GetProperty("options")));

        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
        Dictionary<string, Tensor> state = model.state_dict();
        JsonElement[] entries = [.. expected.GetProperty("state").EnumerateArray()];
        Assert.Equal(entries.Select(e => e.GetProperty("key").GetString()), state.Keys);
        foreach (JsonElement entry in entries)
        {
            string key = entry.GetProperty("key").GetString()!;
            Tensor actual = state[key];
            Assert.Equal(NnReference.Longs(entry.GetProperty("shape")), actual.shape);
            using Tensor asDouble = actual.to(ScalarType.Float64);
            double[] values = asDouble.ToArray<double>();
            float[] head = values.Take(4).Select(v => (float)v).ToArray();
            NnReference.AssertClose(NnReference.Floats(entry.GetProperty("head")), head, 0f, $"{key} head");
            double expectedSum = entry.GetProperty("sum").GetDouble();
            double sum = values.Sum();
            Assert.True(Math.Abs(sum - expectedSum) <= 1e-9 * Math.Max(1, values.Sum(Math.Abs)), $"{key} sum: expected {expectedSum:R}, got {sum:R}");
        }
    }

    [Fact]
    public void Names_ListEveryArchitecture()
    {
        // Register_AddsAnArchitectureByName may have added one more: the registry is process-wide.
        string[] builtIn = ["mobilenet_v2", "resnet18", "resnet34", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "small_cnn", "vgg11_bn", "vgg16_bn"];
        Assert.Equal(builtIn, ModelZoo.Names.Where(n => n != "test_linear"));
    }

    [Fact]
    public void Create_UnknownName_NamesTheKnownModels()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet19"));

        Assert.Contains("resnet19", error.Message);
        Assert.Contains("resnet18", error.Message);
    }

    [Fact]
    public void Create_SmallImageStemOnAnArchitectureWithoutOne_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelZoo.Create("mobilenet_v2", new ModelOptions { SmallImageStem = true }));

        Assert.Contains("SmallImageStem", error.Message);
    }

    [Fact]
    public void Register_AddsAnArchitectureByName()
    {
        ModelZoo.Register("test_linear", o => new nn.Sequential(new nn.Flatten(), new nn.Linear(4, o.NumClasses)));
        using nn.Module<Tensor, Tensor> model = ModelZoo.Create("test_linear", new ModelOptions { NumClasses = 3 });
        using Tensor x = torch.ones([2, 2, 2]);
        using Tensor y = model.call(x);

        Assert.Equal([2L, 3L], y.shape);
    }

    internal static ModelOptions Options(JsonElement options) => new()
    {
        NumClasses = options.TryGetProperty("NumClasses", out JsonElement classes) ? classes.GetInt32() : 1000,
        InChannels = options.TryGetProperty("InChannels", out JsonElement channels) ? channels.GetInt32() : 3,
        SmallImageStem = options.TryGetProperty("SmallImageStem", out JsonElement stem) && stem.GetBoolean(),
    };
}
