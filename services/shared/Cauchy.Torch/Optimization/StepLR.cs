using System.Text.Json.Nodes;

namespace Cauchy.Torch.Optimization;

/// <summary>Multiplies the rate by gamma every step_size epochs (PyTorch's StepLR).</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        if (step_size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(step_size), step_size, "step_size must be at least 1");
        }

        this.step_size = step_size;
        this.gamma = gamma;
        InitialStep();
    }

    public int step_size { get; private set; }

    public double gamma { get; private set; }

    private protected override double[] get_lr() =>
        last_epoch == 0 || last_epoch % step_size != 0 ? GroupLrs() : GroupLrs().Select(lr => lr * gamma).ToArray();

    private protected override double[] get_closed_form_lr() =>
        base_lrs.Select(b => b * Math.Pow(gamma, Math.Floor((double)last_epoch / step_size))).ToArray();

    private protected override void WriteHyperparameters(JsonObject state)
    {
        state["step_size"] = step_size;
        state["gamma"] = gamma;
    }

    private protected override void ReadHyperparameters(JsonObject state)
    {
        step_size = Required(state, "step_size").GetValue<int>();
        gamma = Required(state, "gamma").GetValue<double>();
    }
}
