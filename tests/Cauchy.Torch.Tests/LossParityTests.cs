using System.Text.Json;
using Xunit;

namespace Cauchy.Torch.Tests;

// Loss values and the gradients of sum(loss²) against PyTorch's for the same seeded logits.
public class LossParityTests
{
    public static TheoryData<string> Cases => new(NnReference.Root.GetProperty("losses").EnumerateObject().Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_ValueAndGradient_EqualPyTorch(string name)
    {
        JsonElement reference = NnReference.Loss(name);
        using var scope = torch.NewDisposeScope();
        long seed = name.StartsWith("cross_entropy", StringComparison.Ordinal) ? 11 : name.StartsWith("bce", StringComparison.Ordinal) ? 12 : 13;
        Tensor x = NnReference.SeededInput(seed, NnReference.Longs(reference.GetProperty("input_shape")));
        NnReference.AssertClose(reference.GetProperty("input"), x, 0f, "input");

        Tensor loss = Compute(name, x);

        Assert.Equal(NnReference.Longs(reference.GetProperty("loss_shape")), loss.shape);
        NnReference.AssertClose(reference.GetProperty("loss"), loss, what: "loss");
        (loss * loss).sum().backward();
        NnReference.AssertClose(reference.GetProperty("input_grad"), x.grad!, 1e-5f, "input grad");
    }

    [Fact]
    public void LossModules_EqualTheirFunctionalForms()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = NnReference.SeededInput(11, [6, 5]);
        Tensor weight = ClassWeight();
        using var module = new nn.CrossEntropyLoss(weight, label_smoothing: 0.1);

        Tensor fromModule = module.call(x, Targets());
        Tensor fromFunction = nn.functional.cross_entropy(x, Targets(), weight, label_smoothing: 0.1);

        Assert.True(fromModule.equal(fromFunction));
        Assert.Equal(["weight"], module.state_dict().Keys);
        using var bce = new nn.BCEWithLogitsLoss(pos_weight: torch.tensor([2f, 0.5f, 1f]));
        Assert.Equal(["pos_weight"], bce.state_dict().Keys);
        using var smooth = new nn.SmoothL1Loss(beta: 0.5);
        using var mse = new nn.MSELoss(nn.Reduction.Sum);
        Tensor y = NnReference.SeededInput(13, [4, 3]);
        Assert.True(smooth.call(y, RegressionTarget()).equal(nn.functional.smooth_l1_loss(y, RegressionTarget(), beta: 0.5)));
        Assert.True(mse.call(y, RegressionTarget()).equal(nn.functional.mse_loss(y, RegressionTarget(), nn.Reduction.Sum)));
    }

    private static Tensor Compute(string name, Tensor x) => name switch
    {
        "cross_entropy" => nn.functional.cross_entropy(x, Targets()),
        "cross_entropy_weight" => nn.functional.cross_entropy(x, Targets(), ClassWeight()),
        "cross_entropy_ignore_index" => nn.functional.cross_entropy(x, torch.tensor([0L, -100, 1, 4, -100, 3]), ignore_index: -100),
        "cross_entropy_label_smoothing" => nn.functional.cross_entropy(x, Targets(), ClassWeight(), label_smoothing: 0.1),
        "cross_entropy_sum" => nn.functional.cross_entropy(x, Targets(), reduction: nn.Reduction.Sum),
        "cross_entropy_none" => nn.functional.cross_entropy(x, Targets(), reduction: nn.Reduction.None),
        "bce_with_logits" => nn.functional.binary_cross_entropy_with_logits(x, Binary()),
        "bce_with_logits_pos_weight" => nn.functional.binary_cross_entropy_with_logits(x, Binary(), pos_weight: torch.tensor([2f, 0.5f, 1f])),
        "smooth_l1" => nn.functional.smooth_l1_loss(x, RegressionTarget()),
        "smooth_l1_beta" => nn.functional.smooth_l1_loss(x, RegressionTarget(), beta: 0.5),
        "mse" => nn.functional.mse_loss(x, RegressionTarget()),
        "mse_sum" => nn.functional.mse_loss(x, RegressionTarget(), nn.Reduction.Sum),
        _ => throw new ArgumentException($"no C# loss for reference case {name}"),
    };

    private static Tensor Targets() => torch.tensor([0L, 2, 1, 4, 2, 3]);

    private static Tensor ClassWeight() => torch.tensor([1f, 2f, 0.5f, 1.5f, 3f]);

    private static Tensor Binary() => torch.tensor([1f, 0, 1, 0, 0, 1, 1, 1, 0, 0.5f, 0, 1], [4, 3]);

    // torch.arange(12).reshape(4, 3) / 6 - 1, as the reference script builds it.
    private static Tensor RegressionTarget()
    {
        using Tensor range = torch.arange(0.0, 12.0).reshape(4, 3);
        using Tensor scaled = range / 6.0;
        return scaled - 1.0;
    }
}
