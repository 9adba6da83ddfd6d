namespace Cauchy.Torch.Models;

/// <summary>
/// torchvision 0.14's ResNet with basic blocks (ResNet-18/34): same module names (conv1, bn1, layer1.0.conv1,
/// layer2.0.downsample.0, fc, ...), same construction and initialisation order (Kaiming-normal fan-out convs,
/// batch-norm 1/0, PyTorch's default Linear), so the same seed gives torchvision's weights. The small-image stem
/// (<see cref="ModelOptions.SmallImageStem"/>) swaps conv1 for a 3×3 stride-1 convolution and drops the max-pool.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Conv2d conv1;
    private readonly nn.BatchNorm2d bn1;
    private readonly nn.ReLU relu = new(inplace: true);
    private readonly nn.Module<Tensor, Tensor> maxpool;
    private readonly nn.Sequential layer1;
    private readonly nn.Sequential layer2;
    private readonly nn.Sequential layer3;
    private readonly nn.Sequential layer4;
    private readonly nn.AdaptiveAvgPool2d avgpool = new(1);
    private readonly nn.Linear fc;
    private long inplanes = 64;

    public ResNet(int[] layers, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(options);
        conv1 = options.SmallImageStem
            ? new nn.Conv2d(options.InChannels, inplanes, 3, stride: 1, padding: 1, bias: false)
            : new nn.Conv2d(options.InChannels, inplanes, 7, stride: 2, padding: 3, bias: false);
        bn1 = new nn.BatchNorm2d(inplanes);
        maxpool = options.SmallImageStem ? new nn.Identity() : new nn.MaxPool2d(3, stride: 2, padding: 1);
        layer1 = MakeLayer(64, layers[0], 1);
        layer2 = MakeLayer(128, layers[1], 2);
        layer3 = MakeLayer(256, layers[2], 2);
        layer4 = MakeLayer(512, layers[3], 2);
        fc = new nn.Linear(512, options.NumClasses);
        RegisterComponents();

        foreach (nn.Module m in modules())
        {
            if (m is nn.Conv2d conv)
            {
                nn.init.kaiming_normal_(conv.weight, mode: "fan_out", nonlinearity: "relu");
            }
            else if (m is nn.BatchNorm2d bn)
            {
                nn.init.constant_(bn.weight!, 1);
                nn.init.constant_(bn.bias!, 0);
            }
        }
    }

    public static ResNet ResNet18(ModelOptions options) => new([2, 2, 2, 2], options);

    public static ResNet ResNet34(ModelOptions options) => new([3, 4, 6, 3], options);

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        x = avgpool.call(x).flatten(1);
        return fc.call(x).MoveToOuterDisposeScope();
    }

    // torchvision's _make_layer: the projection is built before the first block, which matters for the draw order.
    private nn.Sequential MakeLayer(long planes, int blocks, long stride)
    {
        nn.Sequential? downsample = null;
        if (stride != 1 || inplanes != planes)
        {
            downsample = new nn.Sequential(new nn.Conv2d(inplanes, planes, 1, stride: stride, bias: false), new nn.BatchNorm2d(planes));
        }

        var layer = new nn.Sequential(new BasicBlock(inplanes, planes, stride, downsample));
        inplanes = planes;
        for (int i = 1; i < blocks; i++)
        {
            layer.append(new BasicBlock(inplanes, planes, 1, null));
        }

        return layer;
    }
}
