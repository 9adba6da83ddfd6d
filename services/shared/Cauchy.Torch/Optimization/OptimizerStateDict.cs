namespace Cauchy.Torch.Optimization;

/// <summary>
/// An optimizer's state in PyTorch's layout: per-parameter entries ("momentum_buffer", "exp_avg", "exp_avg_sq",
/// "max_exp_avg_sq", "step") keyed by the parameter's index across all groups, plus each group's options.
/// The tensors from <see cref="Optimizer.state_dict"/> share memory with the optimizer's live state (as in
/// PyTorch): save them before the next step. Disposing this releases the handles, not the optimizer's state.
/// </summary>
public sealed class OptimizerStateDict : IDisposable
{
    public SortedDictionary<int, Dictionary<string, Tensor>> state { get; } = [];

    public List<ParamGroupState> param_groups { get; } = [];

    public void Dispose()
    {
        foreach (Dictionary<string, Tensor> entries in state.Values)
        {
            foreach (Tensor tensor in entries.Values)
            {
                tensor.Dispose();
            }
        }

        state.Clear();
    }
}
