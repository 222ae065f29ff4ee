# TL004 fixed: standardised inputs, and a learning rate the model can follow.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = 3 * torch.randn(1024, 8)
targets = features @ torch.randn(8, 1) + 0.1 * torch.randn(1024, 1)
features = (features - features.mean(dim=0)) / features.std(dim=0)
loader = DataLoader(TensorDataset(features, targets), batch_size=32, shuffle=True)

model = nn.Linear(8, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

for epoch in range(1):
    for inputs, y in loader:
        loss = loss_fn(model(inputs), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4g}")
