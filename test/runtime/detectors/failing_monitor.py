# Test fixture: the TL004 detector is made to raise at the first step. The run must go on (exit 0), TL004 must be
# reported once as switched off, and the other detectors must keep working (this loop also misses zero_grad: TL001).
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

try:
    from trainloop_agent.monitors import installed_monitors
except ImportError:  # plain PyTorch: nothing to break
    installed_monitors = dict


def broken_on_step_start(optimizer):
    raise ZeroDivisionError("injected by failing_monitor.py")


monitor = installed_monitors().get("TL004")
if monitor is not None:
    monitor.on_step_start = broken_on_step_start

torch.manual_seed(0)
features = torch.randn(128, 20)
labels = torch.randint(0, 3, (128,))
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for inputs, targets in loader:
    loss = loss_fn(model(inputs), targets)
    loss.backward()  # expect: TL001
    optimizer.step()
print("finished")
