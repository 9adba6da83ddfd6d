namespace Cauchy.Torch.Models;

/// <summary>
/// torchvision 0.14's MobileNetV2 (width 1.0): <c>features</c> (a stride-2 stem, 17 inverted residuals, a 1×1
/// conv to 1280 channels), global average pooling and <c>classifier</c> (dropout, Linear). Initialisation as
/// torchvision's: Kaiming-normal fan-out convs, batch-norm 1/0, Linear N(0, 0.01) with zero bias.
/// </summary>
public sealed class MobileNetV2 : nn.Module<Tensor, Tensor>
{
    // t (expansion), c (channels), n (repeats), s (stride of the first repeat).
    private static readonly int[][] Settings =
    [
        [1, 16, 1, 1],
        [6, 24, 2, 2],
        [6, 32, 3, 2],
        [6, 64, 4, 2],
        [6, 96, 3, 1],
        [6, 160, 3, 2],
        [6, 320, 1, 1],
    ];

    private readonly nn.Sequential features;
    private readonly nn.Sequential classifier;

    public MobileNetV2(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ModelZoo.RejectSmallImageStem(options, "mobilenet_v2");
        const long lastChannel = 1280;
        long input = 32;
        features = new nn.Sequential(new ConvBnActivation(options.InChannels, input, stride: 2));
        foreach (int[] setting in Settings)
        {
            (int t, int c, int n, int s) = (setting[0], setting[1], setting[2], setting[3]);
            for (int i = 0; i < n; i++)
            {
                features.append(new MobileNetInvertedResidual(input, c, i == 0 ? s : 1, t));
                input = c;
            }
        }

        features.append(new ConvBnActivation(input, lastChannel, kernelSize: 1));
        classifier = new nn.Sequential(new nn.Dropout(options.Dropout ?? 0.2), new nn.Linear(lastChannel, options.NumClasses));
        RegisterComponents();

        foreach (nn.Module m in modules())
        {
            switch (m)
            {
                case nn.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: "fan_out");
                    if (conv.bias is not null)
                    {
                        nn.init.zeros_(conv.bias);
                    }

                    break;
                case nn.BatchNorm2d bn:
                    nn.init.ones_(bn.weight!);
                    nn.init.zeros_(bn.bias!);
                    break;
                case nn.Linear linear:
                    nn.init.normal_(linear.weight, 0, 0.01);
                    nn.init.zeros_(linear.bias!);
                    break;
            }
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = nn.functional.adaptive_avg_pool2d(features.call(input), 1).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}
