namespace Cauchy.Torch.Models;

/// <summary>
/// MobileNetV2's inverted residual (torchvision's <c>InvertedResidual</c>, module <c>conv</c>): 1×1 expansion
/// (skipped for expand ratio 1), 3×3 depthwise, 1×1 linear projection; the input is added when shapes allow.
/// </summary>
public sealed class MobileNetInvertedResidual : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential conv;
    private readonly bool useResidual;

    public MobileNetInvertedResidual(long inp, long oup, long stride, int expandRatio)
    {
        if (stride is not (1 or 2))
        {
            throw new ArgumentException($"stride should be 1 or 2 instead of {stride}", nameof(stride));
        }

        long hidden = (long)Math.Round(inp * (double)expandRatio, MidpointRounding.ToEven);
        useResidual = stride == 1 && inp == oup;
        conv = new nn.Sequential();
        if (expandRatio != 1)
        {
            conv.append(new ConvBnActivation(inp, hidden, kernelSize: 1));
        }

        conv.append(new ConvBnActivation(hidden, hidden, stride: stride, groups: hidden));
        conv.append(new nn.Conv2d(hidden, oup, 1, bias: false));
        conv.append(new nn.BatchNorm2d(oup));
        register_module("conv", conv);
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!useResidual)
        {
            return conv.call(input);
        }

        using Tensor residual = conv.call(input);
        return input + residual;
    }
}
