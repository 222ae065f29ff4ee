# TL007, functional form: forward() returns F.log_softmax(...) and the loss is nn.CrossEntropyLoss (use nn.NLLLoss, or return the logits).
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 32)
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return F.log_softmax(self.out(x), dim=1)  # expect: TL007


torch.manual_seed(0)
loader = DataLoader(TensorDataset(torch.randn(160, 20), torch.randint(0, 4, (160,))), batch_size=16)
net = SmallNet()
criterion = nn.CrossEntropyLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

for epoch in range(2):
    for x, y in loader:
        opt.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
