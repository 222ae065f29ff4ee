# TL007 fixed: CrossEntropyLoss gets raw logits; a model that returns log-probabilities is paired with NLLLoss instead.
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
features = torch.randn(256, 20)
labels = torch.randint(0, 4, (256,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

logits_model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4))
log_prob_model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 4), nn.LogSoftmax(dim=1))
cross_entropy = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(list(logits_model.parameters()) + list(log_prob_model.parameters()), lr=0.1)

for epoch in range(2):
    for inputs, targets in loader:
        loss = cross_entropy(logits_model(inputs), targets) + F.nll_loss(log_prob_model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
