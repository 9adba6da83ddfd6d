namespace Cauchy.Torch.Optimization;

/// <summary>
/// A group of parameters that share hyperparameters, PyTorch's <c>{"params": [...], "lr": ...}</c> dict. Options are
/// numbers keyed by PyTorch's names ("lr", "momentum", "weight_decay", "beta1", "beta2", ...); flags such as
/// "nesterov" are 0 or 1. Options not set here are filled from the optimizer's defaults when the group is added:
/// <code>new ParamGroup(head.parameters()) { ["lr"] = 0.1 }</code>
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> values = new(StringComparer.Ordinal);

    public ParamGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        @params = parameters.ToList();
    }

    public IReadOnlyList<Tensor> @params { get; }

    /// <summary>The group's options (hyperparameters and, once a scheduler is attached, "initial_lr").</summary>
    public IReadOnlyDictionary<string, double> options => values;

    /// <summary>The learning rate schedulers and the optimizer read and write.</summary>
    public double lr
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    public double this[string key]
    {
        get => values.TryGetValue(key, out double value)
            ? value
            : throw new KeyNotFoundException($"the parameter group has no option '{key}'");
        set => values[key] = value;
    }

    public bool ContainsKey(string key) => values.ContainsKey(key);
}
