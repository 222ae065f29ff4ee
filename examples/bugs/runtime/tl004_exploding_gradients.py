# TL004 (runtime): inputs on a large scale make this learning rate unstable; each step overshoots further and the gradient norm climbs ~1.3x per step.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = 3 * torch.randn(1024, 8)  # not standardised
targets = features @ torch.randn(8, 1) + 0.1 * torch.randn(1024, 1)
loader = DataLoader(TensorDataset(features, targets), batch_size=32, shuffle=True)

model = nn.Linear(8, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.13)

for epoch in range(1):
    for inputs, y in loader:
        loss = loss_fn(model(inputs), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()  # expect: TL004, TL011
    print(f"epoch {epoch}: loss {loss.item():.4g}")
