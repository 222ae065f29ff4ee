# TL008 (runtime): evaluate() switches the model to eval mode and the training loop never switches it back, so from the second epoch on BatchNorm stops learning its statistics.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(320, 20)
labels = (features[:, 0] > 0).long()
train_loader = DataLoader(TensorDataset(features[:256], labels[:256]), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(features[256:], labels[256:]), batch_size=32)

model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def evaluate():
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, targets in val_loader:
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
    return correct / 64


model.train()
for epoch in range(2):
    for inputs, targets in train_loader:
        loss = loss_fn(model(inputs), targets)  # expect: TL008
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: validation accuracy {evaluate():.2f}")
