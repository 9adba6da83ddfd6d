#!/usr/bin/env python3
# Records PyTorch 1.13's optimizer steps and learning-rate schedules for OptimizerParityTests and
# SchedulerParityTests. Run it with Debian's python3-torch (the libtorch the shim links) and commit the output:
#   /usr/bin/python3 tests/Cauchy.Torch.Tests/reference/optim_reference.py > tests/Cauchy.Torch.Tests/reference/optim_reference.json
# The problem is small on purpose: a 5x4 input, a 4x3 weight and a 3-bias, loss = mean(relu(y) * y) + mean(y * y)
# with y = x @ w + b, built only from ops the C# binding has, so both sides run the same kernels.
import json
import warnings

import torch
import torch.optim as optim
from torch.optim import lr_scheduler

torch.set_num_threads(1)
# SequentialLR steps its next scheduler with step(0), which warns about a deprecated argument: expected here.
warnings.simplefilter("ignore")
STEPS = 6


def floats(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def problem():
    torch.manual_seed(0)
    x = torch.randn(5, 4)
    w = torch.randn(4, 3).requires_grad_()
    b = torch.randn(3).requires_grad_()
    return x, w, b


def loss_of(x, w, b):
    y = x.matmul(w) + b
    return (y.relu() * y).mean() + (y * y).mean()


def run(make_optimizer):
    x, w, b = problem()
    opt = make_optimizer(w, b)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_of(x, w, b)
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    state = {}
    for index, p in enumerate([w, b]):
        entries = opt.state.get(p, {})
        state[str(index)] = {name: floats(value) for name, value in entries.items() if value is not None}
    return {"losses": losses, "w": floats(w), "b": floats(b), "state": state}


optimizers = {
    "sgd_plain": (lambda w, b: optim.SGD([w, b], lr=0.1)),
    "sgd_momentum_dampening_wd": (lambda w, b: optim.SGD([w, b], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    "sgd_nesterov": (lambda w, b: optim.SGD([w, b], lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    "sgd_groups": (lambda w, b: optim.SGD([{"params": [w], "momentum": 0.9}, {"params": [b], "lr": 0.01}], lr=0.1)),
    "adam_default": (lambda w, b: optim.Adam([w, b], lr=0.01)),
    "adam_wd_amsgrad": (lambda w, b: optim.Adam([w, b], lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    "adamw_default": (lambda w, b: optim.AdamW([w, b], lr=0.01)),
    "adamw_amsgrad": (lambda w, b: optim.AdamW([w, b], lr=0.03, weight_decay=0.2, amsgrad=True)),
    "sgd_maximize": (lambda w, b: optim.SGD([w, b], lr=0.01, momentum=0.5, maximize=True)),
    "adam_maximize": (lambda w, b: optim.Adam([w, b], lr=0.01, maximize=True)),
}


def schedule(make, groups=(0.1,), steps=30, initial_lr=None):
    params = [torch.zeros(1, requires_grad=True) for _ in groups]
    opt = optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, groups)], lr=groups[0])
    if initial_lr is not None:
        # A scheduler created with last_epoch >= 0 (resuming without a state dict) needs each group's initial_lr.
        for group in opt.param_groups:
            group["initial_lr"] = initial_lr
    scheduler = make(opt)
    lrs = [list(scheduler.get_last_lr())]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(list(scheduler.get_last_lr()))
    return lrs


schedules = {
    "step": schedule(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    "step_two_groups": schedule(lambda o: lr_scheduler.StepLR(o, step_size=4, gamma=0.1), groups=(0.1, 0.03)),
    "multistep": schedule(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    "cosine": schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001), steps=45),
    "linear": schedule(lambda o: lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4)),
    "warmup_cosine": schedule(lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=5), lr_scheduler.CosineAnnealingLR(o, T_max=20)],
        milestones=[5]), steps=40),
    "cosine_from_epoch_4": schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.01, last_epoch=4),
                                    initial_lr=0.2, steps=20),
    "multistep_from_epoch_3": schedule(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 6], gamma=0.5, last_epoch=3),
                                       initial_lr=0.2, steps=8),
}

print(json.dumps({
    "torch_version": torch.__version__,
    "steps": STEPS,
    "optimizers": {name: run(make) for name, make in optimizers.items()},
    "schedules": schedules,
}, indent=1))
