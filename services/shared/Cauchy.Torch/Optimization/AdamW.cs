namespace Cauchy.Torch.Optimization;

/// <summary>
/// Adam with decoupled weight decay (the parameter shrinks by <c>lr * weight_decay</c> before the update): PyTorch
/// 1.13's <c>torch.optim.AdamW</c> (single-tensor path), step for step. Its default weight decay is 0.01.
/// </summary>
public sealed class AdamW : Optimizer
{
    public AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(2, param_groups, AdamDefaults.Create(lr, betas, eps, weight_decay, amsgrad, maximize))
    {
    }

    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, betas, eps, weight_decay, amsgrad, maximize)
    {
    }

    private protected override string[] StateNames => AdamDefaults.StateNames;

    private protected override void Validate(ParamGroup group) => AdamDefaults.Validate(group);
}
