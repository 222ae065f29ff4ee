"""The quickstart MLP's training step on a fixed batch of 64, shared by the bench scripts that time or count it."""
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
X = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))


def step():
    """One forward, backward and SGD step; returns the loss."""
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss
