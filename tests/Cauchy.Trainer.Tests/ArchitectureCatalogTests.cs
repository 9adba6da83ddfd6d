using Cauchy.Domain.Architectures;
using Cauchy.Torch;
using Cauchy.Torch.Models;
using Xunit;

namespace Cauchy.Trainer.Tests;

/// <summary>
/// The orchestrator checks image sizes against <see cref="ArchitectureCatalog"/> without the tensor engine; these tests
/// hold the trainer's model zoo to it: the same names, and for each architecture a forward pass that runs at the
/// minimum side the catalogue computes and fails one pixel below it (and one above a maximum, where there is one).
/// </summary>
public sealed class ArchitectureCatalogTests
{
    [Fact]
    public void The_catalogue_names_exactly_the_architectures_of_the_model_zoo()
    {
        Assert.Equal(ModelZoo.Names, ArchitectureCatalog.Names);
    }

    [Fact]
    public void The_catalogue_reads_exactly_the_model_options_the_trainer_reads()
    {
        Assert.Equal(["image_size", "small_image_stem", "dropout"], ArchitectureCatalog.ModelOptionNames);
    }

    [Theory]
    [InlineData("small_cnn", false, 28, 31)]
    [InlineData("resnet18", false, 1, null)]
    [InlineData("resnet18", true, 1, null)]
    [InlineData("resnet34", false, 1, null)]
    [InlineData("vgg11_bn", false, 32, null)]
    [InlineData("vgg16_bn", false, 32, null)]
    [InlineData("shufflenet_v2_x0_5", false, 1, null)]
    [InlineData("shufflenet_v2_x1_0", false, 1, null)]
    [InlineData("mobilenet_v2", false, 1, null)]
    public void The_computed_input_sides_are_the_ones_written_in_the_docs(string architecture, bool smallStem, int min, int? max)
    {
        Assert.Equal(new InputSideRange(min, max), ArchitectureCatalog.Find(architecture)!.InputSides(smallStem));
    }

    // vgg16_bn has vgg11_bn's five pools (the test above) and 138 M parameters; one VGG is enough here.
    [Theory]
    [InlineData("small_cnn", false)]
    [InlineData("resnet18", false)]
    [InlineData("resnet18", true)]
    [InlineData("resnet34", false)]
    [InlineData("vgg11_bn", false)]
    [InlineData("shufflenet_v2_x0_5", false)]
    [InlineData("shufflenet_v2_x1_0", false)]
    [InlineData("mobilenet_v2", false)]
    public void A_forward_pass_runs_at_the_minimum_side_and_fails_one_below_it(string architecture, bool smallStem)
    {
        var sides = ArchitectureCatalog.Find(architecture)!.InputSides(smallStem);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using var model = ModelZoo.Create(architecture, new ModelOptions { NumClasses = 10, InChannels = 3, SmallImageStem = smallStem });
        model.eval();

        Assert.Equal([2L, 10L], Forward(model, sides.Min, sides.Min).shape);
        Assert.ThrowsAny<Exception>(() => Forward(model, sides.Min - 1, sides.Min));
        Assert.ThrowsAny<Exception>(() => Forward(model, sides.Min, sides.Min - 1));
        if (sides.Max is { } max)
        {
            Assert.Equal([2L, 10L], Forward(model, max, max).shape);
            Assert.ThrowsAny<Exception>(() => Forward(model, max + 1, max + 1));
        }
    }

    private static Tensor Forward(nn.Module<Tensor, Tensor> model, int height, int width)
    {
        using var input = torch.randn([2, 3, height, width]);
        return model.call(input);
    }
}
