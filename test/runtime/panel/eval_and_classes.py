# Training with a test loop, for the panel's evaluation points and class names: two epochs over a dataset with
# `classes` (as torchvision's have), each followed by an evaluation pass under torch.no_grad() that computes its own
# mean loss and accuracy as the PyTorch quickstart does and prints `eval EPOCH LOSS ACCURACY` for the test to compare.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Shapes(TensorDataset):
    classes = ["circle", "square", "triangle"]


torch.manual_seed(0)
train = DataLoader(Shapes(torch.randn(60, 1, 4, 4), torch.randint(0, 3, (60,))), batch_size=8)
test = DataLoader(TensorDataset(torch.randn(21, 1, 4, 4), torch.randint(0, 3, (21,))), batch_size=8)
model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(2):
    model.train()
    for X, y in train:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for X, y in test:
            pred = model(X)
            total += loss_fn(pred, y).item() * len(y)
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    print(f"eval {epoch} {total / 21} {correct / 21}")
