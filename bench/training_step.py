# Benchmark script: median wall and CPU time of one training step of the quickstart MLP (batch 64); runs under real
# PyTorch and Trainloop.
import json
import statistics
import time

import torch
from torch import nn

try:  # Trainloop's embedded runtime: the worker's process CPU time (Pyodide's process_time is the wall clock)
    import js

    def cpu_seconds():
        used = js.process.cpuUsage()
        return (used.user + used.system) / 1e6
except ImportError:
    cpu_seconds = time.process_time

torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
X = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))


def step():
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss


for _ in range(20):
    step()
times, cpus = [], []
for _ in range(200):
    started, cpu = time.perf_counter(), cpu_seconds()
    step().item()
    times.append(time.perf_counter() - started)
    cpus.append(cpu_seconds() - cpu)
# CPU time counts every thread of the process (PyTorch's intra-op threads, TensorFlow's), so it can exceed the wall.
print(json.dumps({"step_ms": statistics.median(times) * 1000, "step_cpu_ms": statistics.median(cpus) * 1000}))
