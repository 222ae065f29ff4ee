# TL009 (runtime): `epoch_loss += loss` adds the loss tensor itself, so every batch's autograd graph stays alive until the epoch ends.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(512, 20)
labels = torch.randint(0, 3, (512,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train_one_epoch():
    epoch_loss = 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss  # expect: TL009
    return epoch_loss / len(loader)


for epoch in range(2):
    print(f"epoch {epoch}: mean loss {train_one_epoch().item():.4f}")
