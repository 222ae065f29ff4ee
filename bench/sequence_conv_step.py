"""Benchmark script: median wall and CPU time of one training step of an LSTM or a small CNN; runs under real PyTorch
and Trainloop. `python sequence_conv_step.py lstm|cnn [steps] [--profile]`; the last line printed is JSON."""
import json
import statistics
import sys
import time

import torch
from torch import nn

from cpu_time import cpu_seconds


class SequenceClassifier(nn.Module):
    """Rows of a 28×28 image as a sequence of 28 steps: an LSTM of 128 units, then a linear head on the last step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class SmallCnn(nn.Module):
    """Two 3×3 convolutions with ReLU, a 2×2 max pool and a linear head, on 1×28×28 images."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(32 * 14 * 14, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.head(torch.flatten(x, 1))


def make_step(kind):
    """The model, its batch and one forward, backward and SGD step that returns the loss."""
    torch.manual_seed(0)
    if kind == "lstm":
        model, inputs = SequenceClassifier(), torch.rand(32, 28, 28)
    else:
        model, inputs = SmallCnn(), torch.rand(64, 1, 28, 28)
    targets = torch.randint(0, 10, (inputs.shape[0],))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)

    def step():
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss

    return step


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "lstm"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 20
    step = make_step(kind)
    for _ in range(3):
        step().item()
    if "--profile" in sys.argv:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            step().item()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
        calls = getattr(prof, "engine_calls", None)
        if calls is not None:
            print(calls.table(sort_by="count"), file=sys.stderr)
    times, cpus = [], []
    for _ in range(steps):
        started, cpu = time.perf_counter(), cpu_seconds()
        step().item()
        times.append(time.perf_counter() - started)
        cpus.append(cpu_seconds() - cpu)
    # CPU time counts every thread of the process (PyTorch's intra-op threads, TensorFlow's), so it can exceed the wall.
    print(json.dumps({"step_ms": statistics.median(times) * 1000, "step_cpu_ms": statistics.median(cpus) * 1000}))


main()
