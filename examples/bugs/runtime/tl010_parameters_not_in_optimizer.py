# TL010 (runtime): the classifier head is created after the optimizer, so its weights get gradients but are never updated.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(256, 20)
labels = torch.randint(0, 3, (256,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

encoder = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
optimizer = torch.optim.SGD(encoder.parameters(), lr=0.1)  # expect: TL010
head = nn.Linear(32, 3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(2):
    for inputs, targets in loader:
        loss = loss_fn(head(encoder(inputs)), targets)
        optimizer.zero_grad()
        head.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
