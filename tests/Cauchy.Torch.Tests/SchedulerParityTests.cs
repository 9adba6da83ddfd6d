using System.Text.Json;
using Cauchy.Torch.Optimization;
using Xunit;

namespace Cauchy.Torch.Tests;

// Learning rates after construction and after each step, compared with PyTorch 1.13's recorded get_last_lr().
// Both sides evaluate the same double-precision formulas in the same order, so the values must be equal.
public class SchedulerParityTests
{
    public static TheoryData<string> Cases => new()
    {
        "step", "step_two_groups", "multistep", "cosine", "linear", "warmup_cosine", "cosine_from_epoch_4", "multistep_from_epoch_3",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rates_EqualPyTorch(string name)
    {
        double[][] expected = OptimReference.Root.GetProperty("schedules").GetProperty(name).EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        double[] groupLrs = name == "step_two_groups" ? [0.1, 0.03] : [0.1];
        using var p0 = torch.zeros([1]);
        using var p1 = torch.zeros([1]);
        Tensor[] parameters = [p0, p1];
        using SGD optimizer = optim.SGD(groupLrs.Select((lr, i) => new ParamGroup([parameters[i]]) { ["lr"] = lr }), lr: groupLrs[0]);
        if (name.Contains("_from_epoch_", StringComparison.Ordinal))
        {
            // A scheduler created with last_epoch >= 0 needs each group's initial_lr, as the script sets it.
            foreach (ParamGroup group in optimizer.param_groups)
            {
                group["initial_lr"] = 0.2;
            }
        }

        LRScheduler scheduler = Create(name, optimizer);

        var actual = new List<double[]> { scheduler.get_last_lr().ToArray() };
        for (int i = 1; i < expected.Length; i++)
        {
            optimizer.step();
            scheduler.step();
            actual.Add(scheduler.get_last_lr().ToArray());
            Assert.Equal(actual[^1], optimizer.param_groups.Select(g => g.lr).ToArray());
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].SequenceEqual(actual[i]), $"step {i}: expected [{string.Join(", ", expected[i].Select(v => v.ToString("R")))}], got [{string.Join(", ", actual[i].Select(v => v.ToString("R")))}]");
        }
    }

    [Fact]
    public void StateDict_ResumesTheSameSchedule()
    {
        using var p = torch.zeros([1]);
        using SGD first = optim.SGD([p], lr: 0.1);
        LRScheduler original = Create("warmup_cosine", first);
        for (int i = 0; i < 12; i++)
        {
            first.step();
            original.step();
        }

        string saved = original.state_dict().ToJsonString();
        using OptimizerStateDict optimizerState = first.state_dict();

        // As in PyTorch: build the optimizer and scheduler first (construction takes an initial step that sets the
        // rates), then load both states.
        using SGD second = optim.SGD([p], lr: 0.1);
        LRScheduler resumed = Create("warmup_cosine", second);
        second.load_state_dict(optimizerState);
        resumed.load_state_dict(System.Text.Json.Nodes.JsonNode.Parse(saved)!.AsObject());
        Assert.Equal(original.get_last_lr(), resumed.get_last_lr());
        for (int i = 0; i < 20; i++)
        {
            original.step();
            resumed.step();
            Assert.Equal(original.get_last_lr(), resumed.get_last_lr());
            Assert.Equal(first.param_groups[0].lr, second.param_groups[0].lr);
        }
    }

    [Fact]
    public void ResumingWithoutInitialLr_IsRejectedLikePyTorch()
    {
        using var p = torch.zeros([1]);
        using SGD optimizer = optim.SGD([p], lr: 0.1);

        var error = Assert.Throws<ArgumentException>(() => optim.lr_scheduler.StepLR(optimizer, step_size: 2, last_epoch: 3));

        Assert.Contains("initial_lr", error.Message);
    }

    [Fact]
    public void LoadStateDict_OfAnotherSchedulerType_Throws()
    {
        using var p = torch.zeros([1]);
        using SGD optimizer = optim.SGD([p], lr: 0.1);
        var step = optim.lr_scheduler.StepLR(optimizer, step_size: 2);
        var cosine = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: 5);

        var error = Assert.Throws<ArgumentException>(() => cosine.load_state_dict(step.state_dict()));
        Assert.Contains("StepLR", error.Message);
    }

    private static LRScheduler Create(string name, Optimizer optimizer) => name switch
    {
        "step" => optim.lr_scheduler.StepLR(optimizer, step_size: 3, gamma: 0.5),
        "step_two_groups" => optim.lr_scheduler.StepLR(optimizer, step_size: 4, gamma: 0.1),
        "multistep" => optim.lr_scheduler.MultiStepLR(optimizer, [2, 5, 5, 9], gamma: 0.3),
        "cosine" => optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: 10, eta_min: 0.001),
        "linear" => optim.lr_scheduler.LinearLR(optimizer, start_factor: 0.1, end_factor: 1.0, total_iters: 4),
        "warmup_cosine" => optim.lr_scheduler.SequentialLR(
            optimizer,
            [optim.lr_scheduler.LinearLR(optimizer, start_factor: 0.01, total_iters: 5), optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: 20)],
            milestones: [5]),
        "cosine_from_epoch_4" => optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: 12, eta_min: 0.01, last_epoch: 4),
        "multistep_from_epoch_3" => optim.lr_scheduler.MultiStepLR(optimizer, [2, 6], gamma: 0.5, last_epoch: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };
}
