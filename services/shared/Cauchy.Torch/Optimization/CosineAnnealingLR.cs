using System.Text.Json.Nodes;

namespace Cauchy.Torch.Optimization;

/// <summary>Cosine annealing from the base rate to eta_min over T_max epochs (PyTorch's CosineAnnealingLR, without restarts).</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        if (T_max < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be at least 1");
        }

        this.T_max = T_max;
        this.eta_min = eta_min;
        InitialStep();
    }

    public int T_max { get; private set; }

    public double eta_min { get; private set; }

    // The same branches and operation order as PyTorch 1.13's get_lr, so rounding matches too.
    private protected override double[] get_lr()
    {
        double[] lrs = GroupLrs();
        if (last_epoch == 0)
        {
            return lrs;
        }

        if (step_count == 1 && last_epoch > 0)
        {
            return base_lrs.Select(b => eta_min + ((b - eta_min) * (1 + Math.Cos(last_epoch * Math.PI / T_max)) / 2)).ToArray();
        }

        if (PythonMod(last_epoch - 1 - T_max, 2 * T_max) == 0)
        {
            return lrs.Select((lr, i) => lr + ((base_lrs[i] - eta_min) * (1 - Math.Cos(Math.PI / T_max)) / 2)).ToArray();
        }

        return lrs.Select(lr =>
            ((1 + Math.Cos(Math.PI * last_epoch / T_max)) / (1 + Math.Cos(Math.PI * (last_epoch - 1) / T_max)) * (lr - eta_min)) + eta_min).ToArray();
    }

    private protected override double[] get_closed_form_lr() =>
        base_lrs.Select(b => eta_min + ((b - eta_min) * (1 + Math.Cos(Math.PI * last_epoch / T_max)) / 2)).ToArray();

    private protected override void WriteHyperparameters(JsonObject state)
    {
        state["T_max"] = T_max;
        state["eta_min"] = eta_min;
    }

    private protected override void ReadHyperparameters(JsonObject state)
    {
        T_max = Required(state, "T_max").GetValue<int>();
        eta_min = Required(state, "eta_min").GetValue<double>();
    }

    // Python's % takes the divisor's sign.
    private static int PythonMod(int a, int b) => ((a % b) + b) % b;
}
