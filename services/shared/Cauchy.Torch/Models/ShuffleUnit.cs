namespace Cauchy.Torch.Models;

/// <summary>
/// ShuffleNetV2's building block (torchvision's <c>InvertedResidual</c>): stride 1 splits the channels and
/// transforms one half (<c>branch2</c>); stride 2 transforms the whole input twice (<c>branch1</c>, <c>branch2</c>)
/// and halves the resolution. The halves are concatenated and their channels shuffled across two groups.
/// </summary>
public sealed class ShuffleUnit : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential branch1;
    private readonly nn.Sequential branch2;
    private readonly long stride;

    public ShuffleUnit(long inp, long oup, long stride)
    {
        if (stride is < 1 or > 3)
        {
            throw new ArgumentException("illegal stride value", nameof(stride));
        }

        this.stride = stride;
        long branchFeatures = oup / 2;
        if (stride == 1 && inp != branchFeatures << 1)
        {
            throw new ArgumentException($"Invalid combination of stride {stride}, inp {inp} and oup {oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.");
        }

        branch1 = stride > 1
            ? new nn.Sequential(
                Depthwise(inp, stride),
                new nn.BatchNorm2d(inp),
                new nn.Conv2d(inp, branchFeatures, 1, bias: false),
                new nn.BatchNorm2d(branchFeatures),
                new nn.ReLU())
            : new nn.Sequential();
        branch2 = new nn.Sequential(
            new nn.Conv2d(stride > 1 ? inp : branchFeatures, branchFeatures, 1, bias: false),
            new nn.BatchNorm2d(branchFeatures),
            new nn.ReLU(),
            Depthwise(branchFeatures, stride),
            new nn.BatchNorm2d(branchFeatures),
            new nn.Conv2d(branchFeatures, branchFeatures, 1, bias: false),
            new nn.BatchNorm2d(branchFeatures),
            new nn.ReLU());
        register_module("branch1", branch1);
        register_module("branch2", branch2);
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = torch.NewDisposeScope();
        Tensor output;
        if (stride == 1)
        {
            Tensor[] halves = input.chunk(2, dim: 1);
            output = torch.cat([halves[0], branch2.call(halves[1])], 1);
        }
        else
        {
            output = torch.cat([branch1.call(input), branch2.call(input)], 1);
        }

        return ChannelShuffle(output, 2).MoveToOuterDisposeScope();
    }

    private static nn.Conv2d Depthwise(long channels, long stride) =>
        new(channels, channels, 3, stride: stride, padding: 1, groups: channels, bias: false);

    private static Tensor ChannelShuffle(Tensor x, long groups)
    {
        long[] shape = x.shape;
        long channelsPerGroup = shape[1] / groups;
        return x.view(shape[0], groups, channelsPerGroup, shape[2], shape[3])
            .transpose(1, 2)
            .contiguous()
            .view(shape[0], -1, shape[2], shape[3]);
    }
}
