namespace Cauchy.Torch.Optimization;

// What Adam and AdamW share: option names, defaults and PyTorch's range checks.
internal static class AdamDefaults
{
    internal static readonly string[] StateNames = ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    internal static Dictionary<string, double> Create(double lr, (double, double)? betas, double eps, double weightDecay, bool amsgrad, bool maximize)
    {
        (double beta1, double beta2) = betas ?? (0.9, 0.999);
        return new Dictionary<string, double>
        {
            ["lr"] = lr,
            ["beta1"] = beta1,
            ["beta2"] = beta2,
            ["eps"] = eps,
            ["weight_decay"] = weightDecay,
            ["amsgrad"] = amsgrad ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        };
    }

    internal static void Validate(ParamGroup group)
    {
        Check(group.lr >= 0, $"Invalid learning rate: {group.lr}");
        Check(group["eps"] >= 0, $"Invalid epsilon value: {group["eps"]}");
        Check(group["beta1"] is >= 0 and < 1, $"Invalid beta parameter at index 0: {group["beta1"]}");
        Check(group["beta2"] is >= 0 and < 1, $"Invalid beta parameter at index 1: {group["beta2"]}");
        Check(group["weight_decay"] >= 0, $"Invalid weight_decay value: {group["weight_decay"]}");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
