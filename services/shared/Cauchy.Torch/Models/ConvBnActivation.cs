namespace Cauchy.Torch.Models;

/// <summary>
/// torchvision's <c>Conv2dNormActivation</c>: a bias-free convolution with "same" padding, batch norm and an
/// activation, as a Sequential so its keys read <c>0.weight</c>, <c>1.running_mean</c>.
/// </summary>
public sealed class ConvBnActivation : nn.Sequential
{
    public ConvBnActivation(long inChannels, long outChannels, long kernelSize = 3, long stride = 1, long groups = 1, nn.Module<Tensor, Tensor>? activation = null)
        : base(
            new nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: (kernelSize - 1) / 2, groups: groups, bias: false),
            new nn.BatchNorm2d(outChannels),
            activation ?? new nn.ReLU6())
    {
    }
}
