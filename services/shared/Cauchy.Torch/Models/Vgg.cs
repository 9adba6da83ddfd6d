namespace Cauchy.Torch.Models;

/// <summary>
/// torchvision 0.14's VGG with batch norm: <c>features</c> (3×3 conv + batch-norm + ReLU stages and 2×2 max-pools,
/// numbered as torchvision numbers them), <c>avgpool</c> to 7×7, and the three-layer <c>classifier</c> with dropout.
/// Initialisation as torchvision's: Kaiming-normal fan-out convs with zero bias, batch-norm 1/0, Linear N(0, 0.01).
/// </summary>
public sealed class Vgg : nn.Module<Tensor, Tensor>
{
    private static readonly int[] Vgg11Config = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0];
    private static readonly int[] Vgg16Config = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];

    private readonly nn.Sequential features;
    private readonly nn.AdaptiveAvgPool2d avgpool = new(7);
    private readonly nn.Sequential classifier;

    // config: output channels of each conv, 0 for a max-pool.
    public Vgg(int[] config, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ModelZoo.RejectSmallImageStem(options, "vgg");
        features = new nn.Sequential();
        long inChannels = options.InChannels;
        foreach (int v in config)
        {
            if (v == 0)
            {
                features.append(new nn.MaxPool2d(2, stride: 2));
            }
            else
            {
                features.append(new nn.Conv2d(inChannels, v, 3, padding: 1));
                features.append(new nn.BatchNorm2d(v));
                features.append(new nn.ReLU());
                inChannels = v;
            }
        }

        double dropout = options.Dropout ?? 0.5;
        classifier = new nn.Sequential(
            new nn.Linear(512 * 7 * 7, 4096),
            new nn.ReLU(),
            new nn.Dropout(dropout),
            new nn.Linear(4096, 4096),
            new nn.ReLU(),
            new nn.Dropout(dropout),
            new nn.Linear(4096, options.NumClasses));
        RegisterComponents();

        foreach (nn.Module m in modules())
        {
            switch (m)
            {
                case nn.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: "fan_out", nonlinearity: "relu");
                    if (conv.bias is not null)
                    {
                        nn.init.constant_(conv.bias, 0);
                    }

                    break;
                case nn.BatchNorm2d bn:
                    nn.init.constant_(bn.weight!, 1);
                    nn.init.constant_(bn.bias!, 0);
                    break;
                case nn.Linear linear:
                    nn.init.normal_(linear.weight, 0, 0.01);
                    nn.init.constant_(linear.bias!, 0);
                    break;
            }
        }
    }

    public static Vgg Vgg11Bn(ModelOptions options) => new(Vgg11Config, options);

    public static Vgg Vgg16Bn(ModelOptions options) => new(Vgg16Config, options);

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = avgpool.call(features.call(input)).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}
