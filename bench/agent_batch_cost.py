# Benchmark script: the quickstart's training loop with 16-wide layers, so that a batch costs what the framework and
# a debugger's hooks cost, not the arithmetic; prints the main thread's CPU µs per batch of its last epoch.
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
BATCHES = 3000
data = TensorDataset(torch.randn(4 * BATCHES, 1, 4, 4), torch.randint(0, 10, (4 * BATCHES,)))
loader = DataLoader(data, batch_size=4)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 10)
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


model = NeuralNetwork()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for epoch in range(2):  # the first epoch warms up (the detectors' dense first steps, Python's specialization)
    started = time.thread_time()
    for X, y in loader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if loss is None:
            print("never")  # bench/native.ts's breakpoint: never hit
    cpu_us_per_batch = (time.thread_time() - started) / len(loader) * 1e6
print(json.dumps({"cpu_us_per_batch": cpu_us_per_batch}))
