# Correct sibling of tl007_softmax_into_cross_entropy.py: the model returns logits; softmax is only used to report probabilities.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(
            nn.Linear(28 * 28, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.layers(x)
        return logits


def train(dataloader, model, loss_fn, optimizer):
    model.train()
    for images, labels in dataloader:
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return loss.item()


def predict(model, images):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(images), dim=1)


torch.manual_seed(0)
images = torch.randn(128, 1, 28, 28)
labels = torch.randint(0, 10, (128,))
dataloader = DataLoader(TensorDataset(images, labels), batch_size=32)

model = Classifier()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)
for epoch in range(2):
    print(f"epoch {epoch}: loss {train(dataloader, model, loss_fn, optimizer):.4f}")
print("class probabilities of the first image:", predict(model, images[:1]))
