# Ten quick batches, then a stop after the last one's backward(): the watch's sampler (at most a sample a second, a
# histogram and images every two) has skipped the batches after the first, so the stop must measure this one.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
loader = DataLoader(TensorDataset(torch.randn(80, 1, 4, 4), torch.randint(0, 3, (80,))), batch_size=8)
model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for batch, (X, y) in enumerate(loader):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    if batch == 9:
        trainloop_test_stop()  # noqa: F821 (watch_driver.py's builtin)
