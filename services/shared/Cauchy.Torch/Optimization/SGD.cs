namespace Cauchy.Torch.Optimization;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay: PyTorch
/// 1.13's <c>torch.optim.SGD</c> (single-tensor path), step for step.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] Names = ["momentum_buffer"];

    public SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(0, param_groups, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize))
    {
    }

    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weight_decay, nesterov, maximize)
    {
    }

    private protected override string[] StateNames => Names;

    private protected override void Validate(ParamGroup group)
    {
        Require(group.lr >= 0, $"Invalid learning rate: {group.lr}");
        Require(group["momentum"] >= 0, $"Invalid momentum value: {group["momentum"]}");
        Require(group["weight_decay"] >= 0, $"Invalid weight_decay value: {group["weight_decay"]}");
        Require(
            group["nesterov"] == 0 || (group["momentum"] > 0 && group["dampening"] == 0),
            "Nesterov momentum requires a momentum and zero dampening");
    }

    private static Dictionary<string, double> Defaults(double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize) => new()
    {
        ["lr"] = lr,
        ["momentum"] = momentum,
        ["dampening"] = dampening,
        ["weight_decay"] = weightDecay,
        ["nesterov"] = nesterov ? 1 : 0,
        ["maximize"] = maximize ? 1 : 0,
    };
}
