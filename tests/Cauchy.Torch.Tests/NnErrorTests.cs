using Cauchy.Torch.Models;
using Xunit;

namespace Cauchy.Torch.Tests;

// A user's mistake inside a layer surfaces as a TorchException with libtorch's (or PyTorch's) message; the process
// keeps running.
public class NnErrorTests
{
    [Fact]
    public void Conv2d_WrongInputRank_RaisesLibtorchsMessage()
    {
        using var scope = torch.NewDisposeScope();
        using var conv = new nn.Conv2d(3, 4, 3);

        var error = Assert.Throws<TorchException>(() => conv.call(torch.zeros([2, 3])));

        Assert.Contains("Expected 3D (unbatched) or 4D (batched) input to conv2d", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }

    [Fact]
    public void Conv2d_WrongChannelCount_NamesBothChannelCounts()
    {
        using var scope = torch.NewDisposeScope();
        using var conv = new nn.Conv2d(3, 4, 3);

        var error = Assert.Throws<TorchException>(() => conv.call(torch.zeros([1, 5, 8, 8])));

        Assert.Contains("expected input[1, 5, 8, 8] to have 3 channels, but got 5 channels instead", error.Message);
    }

    [Fact]
    public void Linear_WrongFeatureCount_NamesBothShapes()
    {
        using var scope = torch.NewDisposeScope();
        using var linear = new nn.Linear(5, 3);

        var error = Assert.Throws<TorchException>(() => linear.call(torch.zeros([2, 4])));

        Assert.Contains("2x4", error.Message);
        Assert.Contains("5x3", error.Message);
    }

    [Fact]
    public void BatchNorm2d_On2dInput_SaysItExpects4d()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new nn.BatchNorm2d(3);

        var error = Assert.Throws<TorchException>(() => bn.call(torch.zeros([4, 3])));

        Assert.Contains("expected 4D input (got 2D input", error.Message);
    }

    [Fact]
    public void BatchNorm2d_TrainingOnOneValuePerChannel_Throws()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new nn.BatchNorm2d(3);

        var error = Assert.Throws<TorchException>(() => bn.call(torch.zeros([1, 3, 1, 1])));

        Assert.Contains("Expected more than 1 value per channel when training", error.Message);
    }

    [Fact]
    public void CrossEntropy_TargetOutOfRange_RaisesInsteadOfCrashing()
    {
        using var scope = torch.NewDisposeScope();
        Tensor logits = torch.zeros([2, 3]);

        var error = Assert.Throws<TorchException>(() => nn.functional.cross_entropy(logits, torch.tensor([0L, 7])));

        Assert.Contains("out of bounds", error.Message);
    }

    [Fact]
    public void BceWithLogits_ShapeMismatch_NamesBothSizes()
    {
        using var scope = torch.NewDisposeScope();

        var error = Assert.Throws<TorchException>(() => nn.functional.binary_cross_entropy_with_logits(torch.zeros([2, 3]), torch.zeros([2, 4])));

        Assert.Contains("Target size ([2, 4]) must be the same as input size ([2, 3])", error.Message);
    }

    [Fact]
    public void Interpolate_NearestWithAlignCorners_Throws()
    {
        using var scope = torch.NewDisposeScope();

        var error = Assert.Throws<TorchException>(() => nn.functional.interpolate(torch.zeros([1, 1, 2, 2]), size: (4, 4), align_corners: true));

        Assert.Contains("align_corners option can only be set with the interpolating modes", error.Message);
    }

    [Fact]
    public void ZooModel_WrongInputChannels_RaisesAndTheModelStaysUsable()
    {
        using var scope = torch.NewDisposeScope();
        using nn.Module<Tensor, Tensor> model = ModelZoo.Create("small_cnn", new ModelOptions { NumClasses = 10, InChannels = 1 });
        model.eval();

        Assert.Throws<TorchException>(() => model.call(torch.zeros([2, 3, 28, 28])));
        Assert.Equal([2L, 10L], model.call(torch.zeros([2, 1, 28, 28])).shape);
    }

    [Fact]
    public void Conv2d_ChannelsNotDivisibleByGroups_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new nn.Conv2d(3, 4, 3, groups: 2));

        Assert.Contains("divisible by groups", error.Message);
    }
}
