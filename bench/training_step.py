# Benchmark script: median time of one training step of the quickstart MLP (batch 64); runs under real PyTorch and Trainloop.
import json
import statistics
import time

import torch
from torch import nn

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
times = []
for _ in range(200):
    started = time.perf_counter()
    step().item()
    times.append(time.perf_counter() - started)
print(json.dumps({"step_ms": statistics.median(times) * 1000}))
