#!/usr/bin/env python3
# Prints PyTorch's values for the cases TorchParityTests checks, as JSON. Run it with Debian's python3-torch
# (the same libtorch 1.13 the shim links) and commit the output as parity_reference.json:
#   /usr/bin/python3 tests/Cauchy.Torch.Tests/reference/parity_reference.py > tests/Cauchy.Torch.Tests/reference/parity_reference.json
# float32 values are written with repr() of the float64 they widen to, so the C# side can compare exactly.
import json

import torch

torch.set_num_threads(1)

torch.manual_seed(0)
randn = torch.randn(3, 4)

torch.manual_seed(42)
a = torch.randn(2, 3)
b = torch.randn(3, 4)
product = a.matmul(b)

torch.manual_seed(7)
x = torch.randn(5, requires_grad=True)
loss = (x * x).relu().mean()
loss.backward()

print(json.dumps({
    "torch_version": torch.__version__,
    "randn_seed0_3x4": [float(v) for v in randn.flatten().tolist()],
    "matmul_seed42_2x3_3x4": [float(v) for v in product.flatten().tolist()],
    "mean_relu_square_seed7_5": {
        "x": [float(v) for v in x.detach().tolist()],
        "loss": float(loss.item()),
        "grad": [float(v) for v in x.grad.tolist()],
    },
}, indent=2))
