using System.Text.Json.Nodes;

namespace Cauchy.Torch.Optimization;

/// <summary>
/// The base of the learning-rate schedules, shaped like PyTorch 1.13's <c>_LRScheduler</c>: construction records each
/// group's "initial_lr" and takes the initial step; <see cref="step"/> (after <c>optimizer.step()</c>) advances one
/// epoch or iteration with PyTorch's recursive formulas, so the rates equal PyTorch's to the last bit.
/// </summary>
public abstract class LRScheduler
{
    private double[] lastLr = [];

    private protected LRScheduler(Optimizer optimizer, int last_epoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        this.optimizer = optimizer;
        for (int i = 0; i < optimizer.param_groups.Count; i++)
        {
            ParamGroup group = optimizer.param_groups[i];
            if (last_epoch == -1)
            {
                if (!group.ContainsKey("initial_lr"))
                {
                    group["initial_lr"] = group.lr;
                }
            }
            else if (!group.ContainsKey("initial_lr"))
            {
                throw new ArgumentException($"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer", nameof(optimizer));
            }
        }

        base_lrs = optimizer.param_groups.Select(g => g["initial_lr"]).ToArray();
        this.last_epoch = last_epoch;
    }

    // For schedulers that drive others (SequentialLR) and keep no rates of their own.
    private protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        this.optimizer = optimizer;
        base_lrs = [];
    }

    public Optimizer optimizer { get; }

    public IReadOnlyList<double> base_lrs { get; private set; }

    /// <summary>The index of the last epoch (or iteration) stepped; -1 before the initial step.</summary>
    public int last_epoch { get; internal set; }

    /// <summary>How many times step ran, the initial step included (PyTorch's <c>_step_count</c>).</summary>
    public int step_count { get; private protected set; }

    /// <summary>The rates the last step set, one per parameter group.</summary>
    public IReadOnlyList<double> get_last_lr() => lastLr;

    public virtual void step()
    {
        step_count++;
        last_epoch++;
        Apply(get_lr());
    }

    /// <summary>The state PyTorch's state_dict holds (counters, base and last rates, hyperparameters) as JSON.</summary>
    public virtual JsonObject state_dict()
    {
        var state = new JsonObject
        {
            ["type"] = GetType().Name,
            ["last_epoch"] = last_epoch,
            ["_step_count"] = step_count,
            ["base_lrs"] = Numbers(base_lrs),
            ["_last_lr"] = Numbers(lastLr),
        };
        WriteHyperparameters(state);
        return state;
    }

    public virtual void load_state_dict(JsonObject state_dict)
    {
        ArgumentNullException.ThrowIfNull(state_dict);
        string type = Required(state_dict, "type").GetValue<string>();
        if (type != GetType().Name)
        {
            throw new ArgumentException($"the state dict is a {type}'s, this scheduler is a {GetType().Name}", nameof(state_dict));
        }

        last_epoch = Required(state_dict, "last_epoch").GetValue<int>();
        step_count = Required(state_dict, "_step_count").GetValue<int>();
        base_lrs = Doubles(Required(state_dict, "base_lrs"));
        lastLr = Doubles(Required(state_dict, "_last_lr"));
        ReadHyperparameters(state_dict);
    }

    internal void InitialStep()
    {
        step_count = 0;
        step();
    }

    // SequentialLR's step(0) at a milestone: PyTorch's deprecated step(epoch) path, which takes the closed form.
    internal void StepTo(int epoch)
    {
        step_count++;
        last_epoch = epoch;
        Apply(get_closed_form_lr() ?? get_lr());
    }

    internal void SetLastLr(IReadOnlyList<double> values) => lastLr = values.ToArray();

    /// <summary>The recursive rule PyTorch's <c>get_lr</c> applies to the groups' current rates.</summary>
    private protected abstract double[] get_lr();

    private protected virtual double[]? get_closed_form_lr() => null;

    private protected virtual void WriteHyperparameters(JsonObject state)
    {
    }

    private protected virtual void ReadHyperparameters(JsonObject state)
    {
    }

    private protected double[] GroupLrs() => optimizer.param_groups.Select(g => g.lr).ToArray();

    private protected static JsonNode Required(JsonObject state, string key) =>
        state[key] ?? throw new ArgumentException($"the scheduler state dict has no '{key}'", nameof(state));

    private protected static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private protected static double[] Doubles(JsonNode node) => node.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private void Apply(double[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            optimizer.param_groups[i].lr = values[i];
        }

        lastLr = GroupLrs();
    }
}
