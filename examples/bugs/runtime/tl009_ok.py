# TL009 fixed: loss.item() turns each loss into a Python number before it is added or kept.
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
history = []


def train_one_epoch():
    epoch_loss = 0.0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        penalty = 1e-4 * sum(p.pow(2).sum() for p in model.parameters())
        optimizer.zero_grad()
        (loss + penalty).backward()
        optimizer.step()
        epoch_loss += loss.item()
        history.append(loss.item())
    return epoch_loss / len(loader)


for epoch in range(2):
    print(f"epoch {epoch}: mean loss {train_one_epoch():.4f}")
