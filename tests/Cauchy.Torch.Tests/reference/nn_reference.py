#!/usr/bin/env python3
# Records PyTorch's values for the nn tests (layers, losses, initialisation, model zoo) as JSON. Run it with Debian's
# python3-torch and python3-torchvision (the same libtorch 1.13 the shim links) and commit the output:
#   /usr/bin/python3 tests/Cauchy.Torch.Tests/reference/nn_reference.py > tests/Cauchy.Torch.Tests/reference/nn_reference.json
# Every case seeds the global generator the way the C# test does, so initial weights, inputs and dropout masks are
# the same draws on both sides.
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from torch_zoo import SmallCnn, SmallStemResNet

torch.set_num_threads(1)


def values(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def state(module):
    return {k: values(v) for k, v in module.state_dict().items()}


def randn(seed, *shape, scale=1.0):
    torch.manual_seed(seed)
    return (torch.randn(*shape) * scale).requires_grad_()


def layer_case(make, x, train=True, forward_seed=None):
    """Builds the layer with seed 0, runs it on x, backpropagates sum(out * out)."""
    torch.manual_seed(0)
    layer = make()
    layer.train(train)
    init = state(layer)
    if forward_seed is not None:
        torch.manual_seed(forward_seed)
    out = layer(x)
    (out * out).sum().backward()
    case = {
        "init": init,
        "input": values(x),
        "input_shape": list(x.shape),
        "output": values(out),
        "output_shape": list(out.shape),
        "input_grad": values(x.grad),
        "param_grads": {k: values(p.grad) for k, p in layer.named_parameters()},
        "state_after": state(layer),
    }
    return case


layers = {
    "conv2d": layer_case(lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), randn(1, 2, 3, 7, 7)),
    "conv2d_grouped_dilated": layer_case(
        lambda: nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=2, bias=False),
        randn(1, 2, 4, 6, 5)),
    "linear": layer_case(lambda: nn.Linear(5, 3), randn(1, 4, 5)),
    "batchnorm2d_train": layer_case(lambda: nn.BatchNorm2d(3), randn(1, 4, 3, 5, 5, scale=2.0)),
    "batchnorm2d_eval": layer_case(lambda: nn.BatchNorm2d(3), randn(1, 4, 3, 5, 5, scale=2.0), train=False),
    "batchnorm2d_cumulative": layer_case(lambda: nn.BatchNorm2d(3, momentum=None, eps=1e-3), randn(1, 4, 3, 5, 5)),
    "relu": layer_case(nn.ReLU, randn(1, 2, 3, 4, 4, scale=3.0)),
    "leaky_relu": layer_case(lambda: nn.LeakyReLU(0.2), randn(1, 2, 3, 4, 4, scale=3.0)),
    "silu": layer_case(nn.SiLU, randn(1, 2, 3, 4, 4, scale=3.0)),
    "sigmoid": layer_case(nn.Sigmoid, randn(1, 2, 3, 4, 4, scale=3.0)),
    "relu6": layer_case(nn.ReLU6, randn(1, 2, 3, 4, 4, scale=5.0)),
    "maxpool2d": layer_case(lambda: nn.MaxPool2d(3, stride=2, padding=1), randn(1, 2, 3, 7, 7)),
    "maxpool2d_ceil": layer_case(lambda: nn.MaxPool2d(2, ceil_mode=True), randn(1, 2, 3, 7, 7)),
    "avgpool2d": layer_case(lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), randn(1, 2, 3, 7, 7)),
    "adaptive_avgpool2d": layer_case(lambda: nn.AdaptiveAvgPool2d((2, 3)), randn(1, 2, 3, 7, 5)),
    "dropout_train": layer_case(lambda: nn.Dropout(0.3), randn(1, 4, 10), forward_seed=5),
    "dropout_eval": layer_case(lambda: nn.Dropout(0.3), randn(1, 4, 10), train=False),
    "flatten": layer_case(nn.Flatten, randn(1, 2, 3, 4, 4)),
    "upsample_nearest_scale": layer_case(lambda: nn.Upsample(scale_factor=2, mode="nearest"), randn(1, 1, 2, 3, 4)),
    "upsample_nearest_size": layer_case(lambda: nn.Upsample(size=(5, 7), mode="nearest"), randn(1, 1, 2, 3, 4)),
    "upsample_bilinear_align": layer_case(lambda: nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True), randn(1, 1, 2, 3, 4)),
    "upsample_bilinear_scale": layer_case(lambda: nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=False), randn(1, 1, 2, 3, 4)),
}


def loss_case(fn, x, target):
    loss = fn(x, target)
    (loss * loss).sum().backward()
    return {"input": values(x), "input_shape": list(x.shape), "loss": values(loss), "loss_shape": list(loss.shape),
            "input_grad": values(x.grad)}


targets = torch.tensor([0, 2, 1, 4, 2, 3])
ignored = torch.tensor([0, -100, 1, 4, -100, 3])
class_weight = torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0])
binary = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.5, 0.0, 1.0]])
regression_target = torch.arange(12, dtype=torch.float32).reshape(4, 3) / 6.0 - 1.0
losses = {
    "cross_entropy": loss_case(lambda x, t: F.cross_entropy(x, t), randn(11, 6, 5), targets),
    "cross_entropy_weight": loss_case(lambda x, t: F.cross_entropy(x, t, weight=class_weight), randn(11, 6, 5), targets),
    "cross_entropy_ignore_index": loss_case(lambda x, t: F.cross_entropy(x, t, ignore_index=-100), randn(11, 6, 5), ignored),
    "cross_entropy_label_smoothing": loss_case(
        lambda x, t: F.cross_entropy(x, t, weight=class_weight, label_smoothing=0.1), randn(11, 6, 5), targets),
    "cross_entropy_sum": loss_case(lambda x, t: F.cross_entropy(x, t, reduction="sum"), randn(11, 6, 5), targets),
    "cross_entropy_none": loss_case(lambda x, t: F.cross_entropy(x, t, reduction="none"), randn(11, 6, 5), targets),
    "bce_with_logits": loss_case(lambda x, t: F.binary_cross_entropy_with_logits(x, t), randn(12, 4, 3), binary),
    "bce_with_logits_pos_weight": loss_case(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=torch.tensor([2.0, 0.5, 1.0])), randn(12, 4, 3), binary),
    "smooth_l1": loss_case(lambda x, t: F.smooth_l1_loss(x, t), randn(13, 4, 3), regression_target),
    "smooth_l1_beta": loss_case(lambda x, t: F.smooth_l1_loss(x, t, beta=0.5), randn(13, 4, 3), regression_target),
    "mse": loss_case(lambda x, t: F.mse_loss(x, t), randn(13, 4, 3), regression_target),
    "mse_sum": loss_case(lambda x, t: F.mse_loss(x, t, reduction="sum"), randn(13, 4, 3), regression_target),
}


def resnet_small_stem(in_channels, num_classes):
    return SmallStemResNet([2, 2, 2, 2], in_channels, num_classes)


zoo_builders = {
    "small_cnn": (lambda: SmallCnn(1, 10), {"NumClasses": 10, "InChannels": 1}),
    "resnet18": (lambda: torchvision.models.resnet18(), {}),
    "resnet34": (lambda: torchvision.models.resnet34(), {}),
    "resnet18_small_stem": (lambda: resnet_small_stem(1, 10),
                            {"NumClasses": 10, "InChannels": 1, "SmallImageStem": True}),
    "vgg11_bn": (lambda: torchvision.models.vgg11_bn(), {}),
    "vgg16_bn": (lambda: torchvision.models.vgg16_bn(), {}),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(), {}),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(), {}),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), {}),
}

zoo = {}
for key, (build, options) in zoo_builders.items():
    torch.manual_seed(0)
    model = build()
    entries = []
    for name, tensor in model.state_dict().items():
        flat = tensor.detach().flatten()
        entries.append({
            "key": name,
            "shape": list(tensor.shape),
            "head": [float(v) for v in flat[:4].tolist()],
            "sum": float(flat.double().sum().item()),
        })
    zoo[key] = {
        "model": key.replace("_small_stem", ""),
        "options": options,
        "parameters": sum(p.numel() for p in model.parameters()),
        "state": entries,
    }
    del model


def forward_case(build, x, seed=0, target=None):
    torch.manual_seed(seed)
    model = build()
    model.eval()
    with torch.no_grad():
        eval_out = model(x)
    model.train()
    torch.manual_seed(100)
    train_out = model(x)
    loss = F.cross_entropy(train_out, target)
    loss.backward()
    first = next(model.parameters())
    # The input's first values only: enough to show both sides drew the same input, without bloating the file.
    return {"input_head": values(x.flatten()[:16]), "input_shape": list(x.shape), "eval_output": values(eval_out),
            "train_output": values(train_out), "loss": float(loss.item()),
            "first_param_grad_head": values(first.grad.flatten()[:16]),
            "running_mean_after": {k: values(v) for k, v in model.state_dict().items() if k.endswith("running_mean")}}


forward = {
    "small_cnn": forward_case(lambda: SmallCnn(1, 10), torch.manual_seed(1) and torch.randn(4, 1, 28, 28), target=torch.tensor([0, 3, 9, 1])),
    "resnet18_small_stem": forward_case(lambda: resnet_small_stem(1, 10),
                                        torch.manual_seed(1) and torch.randn(2, 1, 28, 28), target=torch.tensor([2, 7])),
    "shufflenet_v2_x0_5": forward_case(lambda: torchvision.models.shufflenet_v2_x0_5(num_classes=10),
                                       torch.manual_seed(1) and torch.randn(2, 3, 64, 64), target=torch.tensor([2, 7])),
    "mobilenet_v2": forward_case(lambda: torchvision.models.mobilenet_v2(num_classes=10),
                                 torch.manual_seed(1) and torch.randn(2, 3, 32, 32), target=torch.tensor([2, 7])),
}

print(json.dumps({
    "torch_version": torch.__version__,
    "torchvision_version": torchvision.__version__,
    "layers": layers,
    "losses": losses,
    "zoo": zoo,
    "forward": forward,
}))
