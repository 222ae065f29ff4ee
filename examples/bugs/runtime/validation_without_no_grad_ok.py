# A correct loop whose validation pass forgets torch.no_grad() (wasteful, not wrong: the model is in eval mode and nothing steps), with a StepLR schedule. No diagnostics.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(320, 20)
labels = (features[:, 0] > 0).long()
train_loader = DataLoader(TensorDataset(features[:256], labels[:256]), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(features[256:], labels[256:]), batch_size=32)

model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)

for epoch in range(3):
    model.train()
    for inputs, targets in train_loader:
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scheduler.step()
    model.eval()
    val_loss = 0.0
    for inputs, targets in val_loader:
        val_loss += loss_fn(model(inputs), targets).item()
    print(f"epoch {epoch}: validation loss {val_loss / len(val_loader):.4f}")
