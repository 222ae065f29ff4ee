# A correct small CNN (conv, batch norm, max-pool, dropout) on random 1x16x16 images, with train/eval modes: no diagnostics.
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.randn(512, 1, 16, 16)
labels = (images[:, 0, :8].mean(dim=(1, 2)) > images[:, 0, 8:].mean(dim=(1, 2))).long()
train_loader = DataLoader(TensorDataset(images[:448], labels[:448]), batch_size=32, shuffle=True)
test_loader = DataLoader(TensorDataset(images[448:], labels[448:]), batch_size=32)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(16 * 4 * 4, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(self.dropout(torch.flatten(x, 1)))


model = SmallCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(3):
    model.train()
    for inputs, targets in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, targets in test_loader:
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
    print(f"epoch {epoch}: loss {loss.item():.4f}, test accuracy {correct / len(test_loader.dataset):.2f}")
