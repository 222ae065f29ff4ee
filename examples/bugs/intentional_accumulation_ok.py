# Intentional gradient accumulation: four small batches are summed before each step, then cleared. Nothing to report.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
loader = DataLoader(TensorDataset(torch.randn(512, 20), torch.randint(0, 3, (512,))), batch_size=16)

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
accumulation_steps = 4

model.train()
optimizer.zero_grad()
for i, (inputs, targets) in enumerate(loader):
    loss = loss_fn(model(inputs), targets) / accumulation_steps
    loss.backward()
    if (i + 1) % accumulation_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
        print(f"step {(i + 1) // accumulation_steps}: loss {loss.item() * accumulation_steps:.4f}")
