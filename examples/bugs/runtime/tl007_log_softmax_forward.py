# TL007 (runtime): forward() returns log-probabilities, then F.cross_entropy applies log-softmax to them a second time.
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(256, 20)
labels = torch.randint(0, 4, (256,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 32)
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        return F.log_softmax(self.out(F.relu(self.hidden(x))), dim=1)


model = Classifier()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(2):
    for inputs, targets in loader:
        scores = model(inputs)
        loss = F.cross_entropy(scores, targets)  # expect: TL007
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
