# TL010 fixed: one optimizer over every trained parameter, and a step() after each backward(); a hand-written SGD update on a second model is fine too.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(256, 20)
labels = torch.randint(0, 3, (256,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

encoder = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
head = nn.Linear(32, 3)
optimizer = torch.optim.SGD(list(encoder.parameters()) + list(head.parameters()), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
probe = nn.Linear(20, 3)

for epoch in range(2):
    for inputs, targets in loader:
        loss = loss_fn(head(encoder(inputs)), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        probe_loss = loss_fn(probe(inputs), targets)
        probe.zero_grad()
        probe_loss.backward()
        with torch.no_grad():
            for p in probe.parameters():
                p -= 0.1 * p.grad
    print(f"epoch {epoch}: loss {loss.item():.4f}, probe loss {probe_loss.item():.4f}")
