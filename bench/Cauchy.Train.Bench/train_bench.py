#!/usr/bin/env python3
# PyTorch's side of `make bench-train` (run by Cauchy.Train.Bench with Debian's /usr/bin/python3, the same libtorch as
# the shim): trains a zoo model on Fashion-MNIST for a fixed number of steps doing the same work per step as our
# Trainer (forward, cross-entropy, zero_grad, backward, SGD step, loss.item(), top-1/top-5 counts), and prints one
# JSON line with images/s and the process's CPU seconds over the timed steps. Data: the training set as one uint8
# tensor in memory, a seeded permutation per epoch, each batch gathered and normalised on the training thread
# (PyTorch's plain fast path). --device cuda trains on the first GPU: batches are copied there each step, and the
# timed region starts and ends synchronised (loss.item() also waits for each step, as our Trainer's loss read does).
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_zoo  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--steps", type=int, required=True)
parser.add_argument("--warmup", type=int, default=5)
parser.add_argument("--batch", type=int, required=True)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
parser.add_argument("--data", default=torch_zoo.FASHION_MNIST)
args = parser.parse_args()

torch.set_num_threads(args.threads)
images, labels = torch_zoo.fashion_mnist(train=True, directory=args.data)
device = torch.device(args.device)
# Built on the CPU from seed 0, then moved, as the C# side does: both start from the same weights.
torch.manual_seed(0)
model = torch_zoo.build(args.model).to(device)
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
order_generator = torch.Generator().manual_seed(1)


def batches():
    while True:
        order = torch.randperm(len(labels), generator=order_generator)
        for start in range(0, len(order) - args.batch + 1, args.batch):
            index = order[start:start + args.batch]
            # Gathered and normalised on the CPU, then copied, as our loader and trainer do.
            yield (torch_zoo.normalise(images.index_select(0, index)).to(device),
                   labels.index_select(0, index).to(device))


stream = batches()
top1 = top5 = 0
losses = []
start = cpu_start = None
for step in range(args.warmup + args.steps):
    if step == args.warmup:
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        cpu_start = time.process_time()
    x, y = next(stream)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    with torch.no_grad():
        hits = logits.topk(5, 1).indices.eq(y.unsqueeze(1))
        top1 += hits[:, :1].sum().item()
        top5 += hits.sum().item()
if device.type == "cuda":
    torch.cuda.synchronize()
elapsed = time.perf_counter() - start
cpu = time.process_time() - cpu_start
print(json.dumps({"model": args.model, "device": args.device, "steps": args.steps, "batch": args.batch, "threads": args.threads,
                  "seconds": elapsed, "cpu_seconds": cpu, "images_per_s": args.steps * args.batch / elapsed,
                  "last_loss": losses[-1]}))
