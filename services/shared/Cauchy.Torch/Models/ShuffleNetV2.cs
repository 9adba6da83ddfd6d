namespace Cauchy.Torch.Models;

/// <summary>
/// torchvision 0.14's ShuffleNetV2: <c>conv1</c> (3×3 stride-2 conv + batch-norm + ReLU), a max-pool, three stages
/// of <see cref="ShuffleUnit"/>s (<c>stage2..4</c>), <c>conv5</c> (1×1), global average pooling and <c>fc</c>.
/// torchvision applies no custom initialisation here: every layer keeps PyTorch's default.
/// </summary>
public sealed class ShuffleNetV2 : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential conv1;
    private readonly nn.MaxPool2d maxpool;
    private readonly nn.Sequential stage2;
    private readonly nn.Sequential stage3;
    private readonly nn.Sequential stage4;
    private readonly nn.Sequential conv5;
    private readonly nn.Linear fc;

    public ShuffleNetV2(int[] stagesRepeats, int[] stagesOutChannels, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(stagesRepeats);
        ArgumentNullException.ThrowIfNull(stagesOutChannels);
        ArgumentNullException.ThrowIfNull(options);
        ModelZoo.RejectSmallImageStem(options, "shufflenet_v2");
        if (stagesRepeats.Length != 3 || stagesOutChannels.Length != 5)
        {
            throw new ArgumentException("expected 3 stage repeats and 5 stage output channel counts");
        }

        long input = options.InChannels;
        long output = stagesOutChannels[0];
        conv1 = new nn.Sequential(new nn.Conv2d(input, output, 3, stride: 2, padding: 1, bias: false), new nn.BatchNorm2d(output), new nn.ReLU());
        input = output;
        maxpool = new nn.MaxPool2d(3, stride: 2, padding: 1);
        var stages = new nn.Sequential[3];
        for (int s = 0; s < 3; s++)
        {
            output = stagesOutChannels[s + 1];
            var stage = new nn.Sequential(new ShuffleUnit(input, output, 2));
            for (int i = 0; i < stagesRepeats[s] - 1; i++)
            {
                stage.append(new ShuffleUnit(output, output, 1));
            }

            stages[s] = stage;
            input = output;
        }

        (stage2, stage3, stage4) = (stages[0], stages[1], stages[2]);
        output = stagesOutChannels[4];
        conv5 = new nn.Sequential(new nn.Conv2d(input, output, 1, bias: false), new nn.BatchNorm2d(output), new nn.ReLU());
        fc = new nn.Linear(output, options.NumClasses);
        RegisterComponents();
    }

    public static ShuffleNetV2 X0_5(ModelOptions options) => new([4, 8, 4], [24, 48, 96, 192, 1024], options);

    public static ShuffleNetV2 X1_0(ModelOptions options) => new([4, 8, 4], [24, 116, 232, 464, 1024], options);

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = maxpool.call(conv1.call(input));
        x = conv5.call(stage4.call(stage3.call(stage2.call(x))));
        x = x.mean([2, 3]);
        return fc.call(x).MoveToOuterDisposeScope();
    }
}
