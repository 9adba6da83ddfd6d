// PyTorch's module names are the point: `optim.SGD(...)`, `optim.lr_scheduler.StepLR(...)` read as in Python.
#pragma warning disable CS8981

using Cauchy.Torch.Optimization;

namespace Cauchy.Torch;

/// <summary>PyTorch's <c>torch.optim</c>: factories for the optimizers and, in <see cref="lr_scheduler"/>, the schedules.</summary>
public static class optim
{
    public static Optimization.SGD SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
        new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

    public static Optimization.SGD SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
        new(param_groups, lr, momentum, dampening, weight_decay, nesterov, maximize);

    public static Optimization.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
        new(parameters, lr, betas, eps, weight_decay, amsgrad, maximize);

    public static Optimization.Adam Adam(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
        new(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize);

    public static Optimization.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
        new(parameters, lr, betas, eps, weight_decay, amsgrad, maximize);

    public static Optimization.AdamW AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
        new(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize);

    /// <summary>PyTorch's <c>torch.optim.lr_scheduler</c>.</summary>
    public static class lr_scheduler
    {
        public static Optimization.StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) =>
            new(optimizer, step_size, gamma, last_epoch);

        public static Optimization.MultiStepLR MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) =>
            new(optimizer, milestones, gamma, last_epoch);

        public static Optimization.CosineAnnealingLR CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) =>
            new(optimizer, T_max, eta_min, last_epoch);

        public static Optimization.LinearLR LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1) =>
            new(optimizer, start_factor, end_factor, total_iters, last_epoch);

        public static Optimization.SequentialLR SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones, int last_epoch = -1) =>
            new(optimizer, schedulers, milestones, last_epoch);
    }
}
