using System.Text.Json.Nodes;

namespace Cauchy.Torch.Optimization;

/// <summary>
/// Scales the rate linearly from start_factor to end_factor over total_iters steps, then holds it (PyTorch's
/// LinearLR): the usual linear warm-up. Chain it before a cosine schedule with <see cref="SequentialLR"/>.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    public LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        if (start_factor is > 1.0 or < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(start_factor), start_factor, "Starting multiplicative factor expected to be between 0 and 1.");
        }

        if (end_factor is > 1.0 or < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(end_factor), end_factor, "Ending multiplicative factor expected to be between 0 and 1.");
        }

        this.start_factor = start_factor;
        this.end_factor = end_factor;
        this.total_iters = total_iters;
        InitialStep();
    }

    public double start_factor { get; private set; }

    public double end_factor { get; private set; }

    public int total_iters { get; private set; }

    private protected override double[] get_lr()
    {
        double[] lrs = GroupLrs();
        if (last_epoch == 0)
        {
            return lrs.Select(lr => lr * start_factor).ToArray();
        }

        if (last_epoch > total_iters)
        {
            return lrs;
        }

        return lrs.Select(lr =>
            lr * (1.0 + ((end_factor - start_factor) / ((total_iters * start_factor) + ((last_epoch - 1) * (end_factor - start_factor)))))).ToArray();
    }

    private protected override double[] get_closed_form_lr() =>
        base_lrs.Select(b => b * (start_factor + ((end_factor - start_factor) * Math.Min(total_iters, last_epoch) / total_iters))).ToArray();

    private protected override void WriteHyperparameters(JsonObject state)
    {
        state["start_factor"] = start_factor;
        state["end_factor"] = end_factor;
        state["total_iters"] = total_iters;
    }

    private protected override void ReadHyperparameters(JsonObject state)
    {
        start_factor = Required(state, "start_factor").GetValue<double>();
        end_factor = Required(state, "end_factor").GetValue<double>();
        total_iters = Required(state, "total_iters").GetValue<int>();
    }
}
