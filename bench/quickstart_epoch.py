# Benchmark script: one epoch (train + test) of the PyTorch quickstart, timed; runs under real PyTorch and Trainloop.
import json
import os
import sys
import time

# `--cpu=N` (bench/native.ts --cpu, which also sets one BLAS/OpenMP thread): the main thread on CPU N. On a VM whose
# CPUs run at different speeds (here one is 1.6x slower than the other), plain and debugged runs then meet the same CPU.
pinned = next((int(arg.split("=", 1)[1]) for arg in sys.argv[2:] if arg.startswith("--cpu=")), None)
if pinned is not None:
    os.sched_setaffinity(0, {pinned})

import torch  # noqa: E402
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

root = sys.argv[1] if len(sys.argv) > 1 else "data"
torch.manual_seed(0)
started = time.perf_counter()
training_data = datasets.FashionMNIST(root=root, train=True, download=False, transform=ToTensor())
test_data = datasets.FashionMNIST(root=root, train=False, download=False, transform=ToTensor())
train_dataloader = DataLoader(training_data, batch_size=64)
test_dataloader = DataLoader(test_data, batch_size=64)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


model = NeuralNetwork()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
loaded = time.perf_counter()
loaded_cpu = time.process_time()  # CPU time too: on a shared machine the wall clock also measures the neighbours

model.train()
for X, y in train_dataloader:
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if loss is None:
        print("never")  # bench/native.ts's breakpoint: never hit
trained = time.perf_counter()

model.eval()
test_loss, correct = 0.0, 0
with torch.no_grad():
    for X, y in test_dataloader:
        pred = model(X)
        test_loss += loss_fn(pred, y).item()
        correct += (pred.argmax(1) == y).type(torch.float).sum().item()
tested = time.perf_counter()
tested_cpu = time.process_time()

print(json.dumps({
    "load_s": loaded - started,
    "train_s": trained - loaded,
    "test_s": tested - trained,
    "epoch_s": tested - loaded,
    "epoch_cpu_s": tested_cpu - loaded_cpu,
    "accuracy": correct / len(test_data),
    "avg_loss": test_loss / len(test_dataloader),
}))
