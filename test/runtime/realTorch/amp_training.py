"""A mixed-precision loop with torch.amp.GradScaler on the CPU: the first scales are so large that the scaled
gradients overflow to inf and the scaler skips those steps. Prints `norm BATCH NORM` with the true (unscaled)
gradient norm of every step the scaler takes, `skipped BATCH` for the others and `loss BATCH LOSS` for every batch. With NAN_AT=k in the environment, batch k's inputs hold a NaN."""
import os

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(512, 20) * 100  # large inputs: large first-layer gradients, which overflow once scaled
labels = (features[:, :3].sum(dim=1) > 0).long()
nan_at = int(os.environ.get("NAN_AT", "-1"))
loader = DataLoader(TensorDataset(features, labels), batch_size=32)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=1e-5)
loss_fn = nn.CrossEntropyLoss()
scaler = torch.amp.GradScaler("cpu", init_scale=2.0**127, growth_interval=1000)

for epoch in range(2):
    for batch, (x, y) in enumerate(loader):
        if batch == nan_at and epoch == 0:
            x = x.clone()
            x[0, 0] = float("nan")
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = loss_fn(model(x), y)
        print(f"loss {epoch * len(loader) + batch} {loss.item()}")
        scaler.scale(loss).backward()
        scale = scaler.get_scale()
        scaler.unscale_(optimizer)
        grads = [p.grad for p in model.parameters()]
        norm = torch.sqrt(sum((g.float() ** 2).sum() for g in grads)).item()
        scaler.step(optimizer)
        scaler.update()
        if scaler.get_scale() >= scale:  # not skipped
            print(f"norm {epoch * len(loader) + batch} {norm}")
        else:
            print(f"skipped {epoch * len(loader) + batch}")
print("finished")
