namespace Cauchy.Torch.Optimization;

/// <summary>
/// The base of SGD, Adam and AdamW, shaped like <c>torch.optim.Optimizer</c>: parameter groups with their own
/// options, <see cref="step"/>, <see cref="zero_grad"/>, and a state dict that resumes a run exactly. The
/// per-parameter state lives in the native shim and one step is one native call over every parameter.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> groups = [];
    private readonly List<Tensor> flat = [];
    private readonly OptimizerHandle handle;
    private readonly Dictionary<string, double> defaultOptions;

    private protected Optimizer(int algorithm, IEnumerable<ParamGroup> paramGroups, IReadOnlyDictionary<string, double> defaults)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        defaultOptions = new Dictionary<string, double>(defaults, StringComparer.Ordinal);
        NativeMethods.Check(NativeMethods.cauchy_optim_new(algorithm, 0, out handle));
        try
        {
            foreach (ParamGroup group in paramGroups)
            {
                add_param_group(group);
            }

            if (groups.Count == 0)
            {
                throw new ArgumentException("optimizer got an empty parameter list", nameof(paramGroups));
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public IReadOnlyList<ParamGroup> param_groups => groups;

    /// <summary>The options a new parameter group starts from.</summary>
    public IReadOnlyDictionary<string, double> defaults => defaultOptions;

    /// <summary>The state entries this algorithm keeps per parameter.</summary>
    private protected abstract string[] StateNames { get; }

    /// <summary>Adds a group; options it does not set come from the optimizer's defaults.</summary>
    public void add_param_group(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        for (int i = 0; i < group.@params.Count; i++)
        {
            Tensor p = group.@params[i] ?? throw new ArgumentException($"parameter {i} of the group is null", nameof(group));
            if (flat.Any(existing => ReferenceEquals(existing, p)) || group.@params.Take(i).Any(q => ReferenceEquals(q, p)))
            {
                throw new ArgumentException("some parameters appear in more than one parameter group (or twice in one)", nameof(group));
            }
        }

        foreach ((string key, double value) in defaultOptions)
        {
            if (!group.ContainsKey(key))
            {
                group[key] = value;
            }
        }

        Validate(group);
        groups.Add(group);
        flat.AddRange(group.@params);
        NativeMethods.Check(NativeMethods.cauchy_optim_set_slots(handle, flat.Count));
    }

    /// <summary>Updates every parameter that has a gradient, in place (no autograd recording).</summary>
    public void step()
    {
        var native = new NativeMethods.OptimGroup[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            ParamGroup group = groups[g];
            native[g] = new NativeMethods.OptimGroup
            {
                Lr = group.lr,
                Momentum = Option(group, "momentum"),
                Dampening = Option(group, "dampening"),
                WeightDecay = Option(group, "weight_decay"),
                Beta1 = Option(group, "beta1"),
                Beta2 = Option(group, "beta2"),
                Eps = Option(group, "eps"),
                Nesterov = Option(group, "nesterov") != 0 ? 1 : 0,
                Amsgrad = Option(group, "amsgrad") != 0 ? 1 : 0,
                Maximize = Option(group, "maximize") != 0 ? 1 : 0,
                Count = group.@params.Count,
            };
        }

        using var handles = new HandleArray(flat, "parameter");
        NativeMethods.Check(NativeMethods.cauchy_optim_step(handle, handles.Pointers, flat.Count, native, native.Length));
        step_count++;
    }

    /// <summary>How many times <see cref="step"/> ran (PyTorch's <c>_step_count</c>).</summary>
    public long step_count { get; private set; }

    /// <summary>Zeroes the gradients in place, or drops them (<paramref name="set_to_none"/>) so the next step skips parameters that get none.</summary>
    public void zero_grad(bool set_to_none = false)
    {
        using var handles = new HandleArray(flat, "parameter");
        NativeMethods.Check(NativeMethods.cauchy_optim_zero_grad(handles.Pointers, flat.Count, set_to_none ? 1 : 0));
    }

    /// <summary>The optimizer's state (see <see cref="OptimizerStateDict"/>); dispose it when done.</summary>
    public OptimizerStateDict state_dict()
    {
        var result = new OptimizerStateDict();
        int index = 0;
        foreach (ParamGroup group in groups)
        {
            var indices = new int[group.@params.Count];
            for (int i = 0; i < indices.Length; i++)
            {
                indices[i] = index + i;
            }

            result.param_groups.Add(new ParamGroupState(new Dictionary<string, double>(group.options, StringComparer.Ordinal), indices));
            index += indices.Length;
        }

        for (int slot = 0; slot < flat.Count; slot++)
        {
            Dictionary<string, Tensor>? entries = null;
            foreach (string name in StateNames)
            {
                NativeMethods.Check(NativeMethods.cauchy_optim_state_get(handle, slot, name, out TensorHandle value));
                if (value.IsInvalid)
                {
                    value.Dispose();
                    continue;
                }

                entries ??= new Dictionary<string, Tensor>(StringComparer.Ordinal);
                entries[name] = new Tensor(value).DetachFromDisposeScope();
            }

            if (entries is not null)
            {
                result.state[slot] = entries;
            }
        }

        return result;
    }

    /// <summary>
    /// Restores options and per-parameter state saved by <see cref="state_dict"/> (copies, so the state dict can be
    /// disposed afterwards). The groups must have the same sizes as when it was saved.
    /// </summary>
    public void load_state_dict(OptimizerStateDict state_dict)
    {
        ArgumentNullException.ThrowIfNull(state_dict);
        if (state_dict.param_groups.Count != groups.Count)
        {
            throw new ArgumentException(
                $"loaded state dict has {state_dict.param_groups.Count} parameter groups, the optimizer has {groups.Count}", nameof(state_dict));
        }

        var slotOf = new Dictionary<int, int>();
        int slot = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            ParamGroupState saved = state_dict.param_groups[g];
            if (saved.@params.Count != groups[g].@params.Count)
            {
                throw new ArgumentException(
                    $"loaded parameter group {g} has {saved.@params.Count} parameters, the optimizer's has {groups[g].@params.Count}", nameof(state_dict));
            }

            foreach (int savedIndex in saved.@params)
            {
                slotOf[savedIndex] = slot++;
            }
        }

        foreach ((int savedIndex, Dictionary<string, Tensor> entries) in state_dict.state)
        {
            if (!slotOf.ContainsKey(savedIndex))
            {
                throw new ArgumentException($"loaded state has an entry for parameter {savedIndex}, which no parameter group lists", nameof(state_dict));
            }

            foreach (string name in entries.Keys)
            {
                if (!StateNames.Contains(name))
                {
                    throw new ArgumentException(
                        $"loaded state of parameter {savedIndex} has an entry '{name}' that {GetType().Name} does not keep ({string.Join(", ", StateNames)})",
                        nameof(state_dict));
                }
            }
        }

        for (int g = 0; g < groups.Count; g++)
        {
            foreach ((string key, double value) in state_dict.param_groups[g].options)
            {
                groups[g][key] = value;
            }
        }

        for (int s = 0; s < flat.Count; s++)
        {
            foreach (string name in StateNames)
            {
                NativeMethods.Check(NativeMethods.cauchy_optim_state_set(handle, s, name, 0, 0));
            }
        }

        foreach ((int savedIndex, Dictionary<string, Tensor> entries) in state_dict.state)
        {
            int target = slotOf[savedIndex];
            foreach ((string name, Tensor value) in entries)
            {
                using var pair = new HandleArray([value, flat[target]], "state tensor");
                NativeMethods.Check(NativeMethods.cauchy_optim_state_set(handle, target, name, pair.Pointers[0], pair.Pointers[1]));
            }
        }
    }

    public void Dispose()
    {
        handle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Checks a group's options (ranges, combinations) the way PyTorch's constructor does.</summary>
    private protected abstract void Validate(ParamGroup group);

    private protected static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static double Option(ParamGroup group, string key) => group.options.TryGetValue(key, out double value) ? value : 0;
}
