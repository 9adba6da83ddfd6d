using System.Text.Json.Nodes;

namespace Cauchy.Torch.Optimization;

/// <summary>Multiplies the rate by gamma at each milestone epoch (PyTorch's MultiStepLR; a repeated milestone decays twice).</summary>
public sealed class MultiStepLR : LRScheduler
{
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1)
        : base(optimizer, last_epoch)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        this.milestones = milestones.Order().ToArray();
        this.gamma = gamma;
        InitialStep();
    }

    public IReadOnlyList<int> milestones { get; private set; }

    public double gamma { get; private set; }

    private protected override double[] get_lr()
    {
        int hits = milestones.Count(m => m == last_epoch);
        return hits == 0 ? GroupLrs() : GroupLrs().Select(lr => lr * Math.Pow(gamma, hits)).ToArray();
    }

    private protected override double[] get_closed_form_lr()
    {
        int passed = milestones.Count(m => m <= last_epoch);
        return base_lrs.Select(b => b * Math.Pow(gamma, passed)).ToArray();
    }

    private protected override void WriteHyperparameters(JsonObject state)
    {
        state["milestones"] = new JsonArray(milestones.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
        state["gamma"] = gamma;
    }

    private protected override void ReadHyperparameters(JsonObject state)
    {
        milestones = Required(state, "milestones").AsArray().Select(v => v!.GetValue<int>()).ToArray();
        gamma = Required(state, "gamma").GetValue<double>();
    }
}
