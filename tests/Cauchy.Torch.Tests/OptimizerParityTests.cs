using System.Text.Json;
using Cauchy.Torch.Optimization;
using Xunit;

namespace Cauchy.Torch.Tests;

// Each case trains reference/optim_reference.py's problem for the recorded number of steps and compares losses,
// final parameters and the optimizer's state with what PyTorch 1.13 recorded.
public class OptimizerParityTests
{
    public static TheoryData<string> Cases => new()
    {
        "sgd_plain",
        "sgd_momentum_dampening_wd",
        "sgd_nesterov",
        "sgd_groups",
        "adam_default",
        "adam_wd_amsgrad",
        "adamw_default",
        "adamw_amsgrad",
        "sgd_maximize",
        "adam_maximize",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_MatchesPyTorch(string name)
    {
        JsonElement expected = OptimReference.Root.GetProperty("optimizers").GetProperty(name);
        int steps = OptimReference.Root.GetProperty("steps").GetInt32();
        (Tensor x, Tensor w, Tensor b) = OptimReference.Problem();
        using (x)
        using (w)
        using (b)
        using (Optimizer optimizer = Create(name, w, b))
        {
            var losses = new float[steps];
            for (int i = 0; i < steps; i++)
            {
                optimizer.zero_grad();
                using Tensor loss = OptimReference.Loss(x, w, b);
                loss.backward();
                optimizer.step();
                losses[i] = loss.item<float>();
            }

            OptimReference.AssertClose(OptimReference.Floats(expected.GetProperty("losses")), losses, "loss");
            OptimReference.AssertClose(OptimReference.Floats(expected.GetProperty("w")), w.ToArray<float>(), "w");
            OptimReference.AssertClose(OptimReference.Floats(expected.GetProperty("b")), b.ToArray<float>(), "b");

            using OptimizerStateDict state = optimizer.state_dict();
            foreach (JsonProperty parameter in expected.GetProperty("state").EnumerateObject())
            {
                int index = int.Parse(parameter.Name, System.Globalization.CultureInfo.InvariantCulture);
                var entries = parameter.Value.EnumerateObject().ToList();
                if (entries.Count == 0)
                {
                    Assert.False(state.state.ContainsKey(index), $"parameter {index} should have no state");
                    continue;
                }

                Assert.Equal(entries.Select(e => e.Name).Order(), state.state[index].Keys.Order());
                foreach (JsonProperty entry in entries)
                {
                    OptimReference.AssertClose(OptimReference.Floats(entry.Value), state.state[index][entry.Name].ToArray<float>(), $"state {index}.{entry.Name}");
                }
            }
        }
    }

    private static Optimizer Create(string name, Tensor w, Tensor b) => name switch
    {
        "sgd_plain" => optim.SGD([w, b], lr: 0.1),
        "sgd_momentum_dampening_wd" => optim.SGD([w, b], lr: 0.1, momentum: 0.9, dampening: 0.1, weight_decay: 0.01),
        "sgd_nesterov" => optim.SGD([w, b], lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-3),
        "sgd_groups" => optim.SGD([new ParamGroup([w]) { ["momentum"] = 0.9 }, new ParamGroup([b]) { ["lr"] = 0.01 }], lr: 0.1),
        "adam_default" => optim.Adam([w, b], lr: 0.01),
        "adam_wd_amsgrad" => optim.Adam([w, b], lr: 0.02, betas: (0.8, 0.99), eps: 1e-6, weight_decay: 0.1, amsgrad: true),
        "adamw_default" => optim.AdamW([w, b], lr: 0.01),
        "adamw_amsgrad" => optim.AdamW([w, b], lr: 0.03, weight_decay: 0.2, amsgrad: true),
        "sgd_maximize" => optim.SGD([w, b], lr: 0.01, momentum: 0.5, maximize: true),
        "adam_maximize" => optim.Adam([w, b], lr: 0.01, maximize: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
    };
}
