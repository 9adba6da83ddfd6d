namespace Cauchy.Torch.Optimization;

/// <summary>
/// Adam (optionally AMSGrad) with L2 weight decay added to the gradient: PyTorch 1.13's <c>torch.optim.Adam</c>
/// (single-tensor path), step for step. Options "beta1" and "beta2" are PyTorch's <c>betas</c>.
/// </summary>
public sealed class Adam : Optimizer
{
    public Adam(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(1, param_groups, AdamDefaults.Create(lr, betas, eps, weight_decay, amsgrad, maximize))
    {
    }

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, betas, eps, weight_decay, amsgrad, maximize)
    {
    }

    private protected override string[] StateNames => AdamDefaults.StateNames;

    private protected override void Validate(ParamGroup group) => AdamDefaults.Validate(group);
}
