# TL003 (runtime): one feature is constant, so standardising by its standard deviation divides 0 by 0 and the loss is NaN.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(256, 8)
features[:, 3] = 1.0  # a sensor that never changes
targets = features @ torch.randn(8, 1) + 0.1 * torch.randn(256, 1)
features = (features - features.mean(dim=0)) / features.std(dim=0)
loader = DataLoader(TensorDataset(features, targets), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

for epoch in range(2):
    for inputs, y in loader:
        loss = loss_fn(model(inputs), y)
        optimizer.zero_grad()
        loss.backward()  # expect: TL003
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
