# TL006 (runtime): unscaled inputs (0 to 50) make the first steps huge; they push every hidden unit negative for every input, and a dead ReLU gets no gradient to recover.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = 50 * torch.rand(512, 10)  # raw measurements in [0, 50)
targets = features.sum(dim=1, keepdim=True) / 10
loader = DataLoader(TensorDataset(features, targets), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.005)

for epoch in range(2):
    for inputs, y in loader:
        loss = loss_fn(model(inputs), y)  # expect: TL006
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
