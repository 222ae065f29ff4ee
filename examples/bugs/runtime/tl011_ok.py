# TL011 fixed: Adam with its usual learning rate, after a linear warm-up (the changing rate never counts as out of range).
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(1024, 20)
labels = (features[:, :5].sum(dim=1) > 0).long()
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
warmup_steps = 40
step = 0

for epoch in range(1):
    for inputs, targets in loader:
        step += 1
        for group in optimizer.param_groups:
            group["lr"] = 1e-3 * min(1.0, step / warmup_steps)
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
