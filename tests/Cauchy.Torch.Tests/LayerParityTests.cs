using System.Text.Json;
using Xunit;

namespace Cauchy.Torch.Tests;

// Each layer built with seed 0 must hold PyTorch's initial weights bit for bit, and its forward output, the
// gradients of sum(out²) and its state after the step (BatchNorm's running statistics) must equal PyTorch's.
public class LayerParityTests
{
    public static TheoryData<string> Cases => new(NnReference.Root.GetProperty("layers").EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_InitForwardAndBackward_EqualPyTorch(string name)
    {
        JsonElement reference = NnReference.Layer(name);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using nn.Module<Tensor, Tensor> layer = Build(name);
        layer.train(!name.EndsWith("_eval", StringComparison.Ordinal));

        AssertState(reference.GetProperty("init"), layer, "init");

        Tensor x = NnReference.SeededInput(1, NnReference.Longs(reference.GetProperty("input_shape")), InputScale(name));
        NnReference.AssertClose(reference.GetProperty("input"), x, 0f, "input");
        if (name == "dropout_train")
        {
            torch.manual_seed(5);
        }

        Tensor output = layer.call(x);
        Assert.Equal(NnReference.Longs(reference.GetProperty("output_shape")), output.shape);
        NnReference.AssertClose(reference.GetProperty("output"), output, what: "output");

        (output * output).sum().backward();
        NnReference.AssertClose(reference.GetProperty("input_grad"), x.grad!, 1e-5f, "input grad");
        foreach (JsonProperty grad in reference.GetProperty("param_grads").EnumerateObject())
        {
            nn.Parameter parameter = layer.named_parameters().Single(p => p.name == grad.Name).parameter;
            NnReference.AssertClose(grad.Value, parameter.grad!, 1e-5f, $"{grad.Name} grad");
        }

        AssertState(reference.GetProperty("state_after"), layer, "after", exact: false);
    }

    internal static void AssertState(JsonElement expected, nn.Module module, string when, bool exact = true)
    {
        Dictionary<string, Tensor> state = module.state_dict();
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name), state.Keys);
        foreach (JsonProperty entry in expected.EnumerateObject())
        {
            Tensor actual = state[entry.Name];
            float[] values = actual.dtype == ScalarType.Int64
                ? actual.ToArray<long>().Select(v => (float)v).ToArray()
                : actual.ToArray<float>();
            NnReference.AssertClose(NnReference.Floats(entry.Value), values, exact ? 0f : 1e-6f, $"{when} {entry.Name}");
        }
    }

    private static double InputScale(string name) => name switch
    {
        "batchnorm2d_train" or "batchnorm2d_eval" => 2.0,
        "relu" or "leaky_relu" or "silu" or "sigmoid" => 3.0,
        "relu6" => 5.0,
        _ => 1.0,
    };

    private static nn.Module<Tensor, Tensor> Build(string name) => name switch
    {
        "conv2d" => new nn.Conv2d(3, 4, 3, stride: 2, padding: 1),
        "conv2d_grouped_dilated" => new nn.Conv2d(4, 6, (3, 2), stride: (1, 2), padding: (2, 1), dilation: (2, 1), groups: 2, bias: false),
        "linear" => new nn.Linear(5, 3),
        "batchnorm2d_train" or "batchnorm2d_eval" => new nn.BatchNorm2d(3),
        "batchnorm2d_cumulative" => new nn.BatchNorm2d(3, eps: 1e-3, momentum: null),
        "relu" => new nn.ReLU(),
        "leaky_relu" => new nn.LeakyReLU(0.2),
        "silu" => new nn.SiLU(),
        "sigmoid" => new nn.Sigmoid(),
        "relu6" => new nn.ReLU6(),
        "maxpool2d" => new nn.MaxPool2d(3, stride: 2, padding: 1),
        "maxpool2d_ceil" => new nn.MaxPool2d(2, ceil_mode: true),
        "avgpool2d" => new nn.AvgPool2d(3, stride: 2, padding: 1, count_include_pad: false),
        "adaptive_avgpool2d" => new nn.AdaptiveAvgPool2d((2, 3)),
        "dropout_train" or "dropout_eval" => new nn.Dropout(0.3),
        "flatten" => new nn.Flatten(),
        "upsample_nearest_scale" => new nn.Upsample(2.0, mode: "nearest"),
        "upsample_nearest_size" => new nn.Upsample(size: (5, 7), mode: "nearest"),
        "upsample_bilinear_align" => new nn.Upsample(size: (5, 7), mode: "bilinear", align_corners: true),
        "upsample_bilinear_scale" => new nn.Upsample(1.5, mode: "bilinear", align_corners: false),
        _ => throw new ArgumentException($"no C# layer for reference case {name}"),
    };
}
