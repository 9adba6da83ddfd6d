#!/usr/bin/env python3
# PyTorch's losses for the first 100 SGD steps of the zoo's small CNN and ResNet-18 (small-image stem) on
# Fashion-MNIST, as JSON on standard output; FashionMnistParityTests runs it with Debian's python3-torch (the libtorch
# the shim links) on the test machine:
#   /usr/bin/python3 tests/Cauchy.Torch.Tests/reference/fashion_mnist_reference.py
# Same initial weights: torch.manual_seed(0) right before building the model (the C# zoo draws in PyTorch's order).
# Same data order: no shuffling; step i trains on training images [i*batch, (i+1)*batch) in file order, scaled by
# 1/255 and normalised with mean 0.2860, std 0.3530, no augmentation. Dropout (small CNN) draws from the global
# generator in the same order on both sides. One intra-op thread on both sides.
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_zoo  # noqa: E402

torch.set_num_threads(1)
STEPS = 100
CASES = {"small_cnn": 64, "resnet18": 8}  # batch sizes: ResNet-18 at 8 keeps the C# test near half a minute of CPU
LR, MOMENTUM = 0.05, 0.9

images, labels = torch_zoo.fashion_mnist(train=True)
result = {"torch_version": torch.__version__, "steps": STEPS, "lr": LR, "momentum": MOMENTUM, "models": {}}
for name, batch in CASES.items():
    torch.manual_seed(0)
    model = torch_zoo.build(name)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    losses = []
    for step in range(STEPS):
        x = torch_zoo.normalise(images[step * batch:(step + 1) * batch])
        y = labels[step * batch:(step + 1) * batch]
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    result["models"][name] = {"batch_size": batch, "losses": losses}
print(json.dumps(result, indent=2))
