namespace Cauchy.Torch.Models;

/// <summary>ResNet-18/34's residual block: two 3×3 conv + batch-norm, the input (or its 1×1 projection) added before the last ReLU.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Conv2d conv1;
    private readonly nn.BatchNorm2d bn1;
    // In place, as torchvision's ResNet: batch-norm backward does not need its output, so the ReLU (and the residual
    // add) can overwrite it instead of allocating and filling a new activation every layer.
    private readonly nn.ReLU relu = new(inplace: true);
    private readonly nn.Conv2d conv2;
    private readonly nn.BatchNorm2d bn2;
    private readonly nn.Sequential? downsample;

    public BasicBlock(long inplanes, long planes, long stride, nn.Sequential? downsample)
    {
        conv1 = new nn.Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = new nn.BatchNorm2d(planes);
        conv2 = new nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = new nn.BatchNorm2d(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor output = relu.call(bn1.call(conv1.call(input)));
        output = bn2.call(conv2.call(output));
        Tensor identity = downsample is null ? input : downsample.call(input);
        return relu.call(output.add_(identity)).MoveToOuterDisposeScope();
    }
}
