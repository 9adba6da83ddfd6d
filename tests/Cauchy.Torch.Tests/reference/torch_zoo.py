"""The zoo models and the Fashion-MNIST reader as PyTorch code, shared by fashion_mnist_reference.py and
bench/Cauchy.Train.Bench/train_bench.py. The classes mirror the C# zoo (same modules, same construction order, so
the same seed gives the same initial weights; nn_reference.py records them for the C# tests)."""
import gzip
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


class SmallCnn(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, dropout=0.25):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(self.dropout(x))


class SmallStemResNet(torchvision.models.resnet.ResNet):
    """torchvision's ResNet-18 with the small-image stem (3x3 stride-1 conv1, no max-pool), built before
    torchvision's init loop as the C# ResNet builds it."""

    def __init__(self, layers, in_channels, num_classes):
        nn.Module.__init__(self)
        block = torchvision.models.resnet.BasicBlock
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = 64
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(in_channels, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity()
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def build(name):
    if name == "small_cnn":
        return SmallCnn(1, 10)
    if name == "resnet18":
        return SmallStemResNet([2, 2, 2, 2], 1, 10)
    raise ValueError(name)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def fashion_mnist(train, directory=FASHION_MNIST):
    prefix = "train" if train else "t10k"
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz")).long()
    return images.unsqueeze(1), labels


def normalise(images_uint8):
    """What the C# loader does per pixel in float32: x / 255, then (x - mean) / std."""
    return (images_uint8.float() / 255 - MEAN) / STD
