# TL001 (runtime): the loop never clears the gradients, so every step applies the sum of all earlier batches' gradients.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(256, 20)
labels = torch.randint(0, 3, (256,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(2):
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        loss.backward()  # expect: TL001
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
