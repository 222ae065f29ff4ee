"""A small CNN compiled with torch.compile(model, backend="eager") trained for two epochs over a DataLoader, with the
functional ReLU and cross-entropy the agent wraps inside the compiled forward. Prints `loss BATCH LOSS` for every batch
and, at the end, `graph_breaks N` (TorchDynamo's count: the agent's wrappers must add none) and `finished`."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        return self.fc(F.max_pool2d(x, 2).flatten(1))


torch.manual_seed(0)
images = torch.randn(256, 1, 16, 16)
labels = torch.randint(0, 10, (256,))
loader = DataLoader(TensorDataset(images, labels), batch_size=32)
model = torch.compile(SmallNet(), backend="eager")
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

step = 0
for epoch in range(2):
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f"loss {step} {loss.item()}")
        step += 1

from torch._dynamo.utils import counters  # noqa: E402

print(f"graph_breaks {sum(counters['graph_break'].values())}")
print("finished")
