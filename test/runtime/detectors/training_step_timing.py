# Times the quickstart's training step (MLP 784-512-512-10, SGD, batch 64) in a DataLoader loop, so every detector
# hook runs (batch ends included). Under Trainloop's agent it alternates blocks of steps with the detectors running and
# paused (hooks.active), so both see the same machine load; prints one JSON line with the medians and the overhead.
# usage: training_step_timing.py [STEPS_PER_MODE] [BLOCK] [WARMUP_STEPS]
import json
import statistics
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

try:
    from trainloop_agent.monitors import installed_hooks
except ImportError:  # plain PyTorch: no detectors to pause
    installed_hooks = lambda: None  # noqa: E731

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
block = int(sys.argv[2]) if len(sys.argv) > 2 else 5
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 80  # past the detectors' dense first steps (hooks.DENSE_GRADIENT_STEPS)
hooks = installed_hooks()
torch.manual_seed(0)
images = torch.rand(64 * 16, 1, 28, 28)
labels = torch.randint(0, 10, (64 * 16,))
loader = DataLoader(TensorDataset(images, labels), batch_size=64)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

times = {True: [], False: []}
total = warmup + (2 if hooks else 1) * steps
done = 0
started = time.perf_counter()
while done < total:
    for X, y in loader:  # one iteration's time includes the batch-end work done in next()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        now = time.perf_counter()
        active = hooks.active if hooks else True
        if done >= warmup:
            times[active].append(now - started)
        done += 1
        if hooks and done > warmup and (done - warmup) % block == 0:
            hooks.active = not hooks.active  # the next iteration's next() already runs in the new mode
        started = now
        if done >= total:
            break
if hooks:
    hooks.active = True
on = statistics.median(times[True]) * 1000
result = {"step_ms": on, "mean_ms": statistics.mean(times[True]) * 1000}
if times[False]:
    off = statistics.median(times[False]) * 1000
    result.update(off_ms=off, off_mean_ms=statistics.mean(times[False]) * 1000, overhead=on / off - 1)
print(json.dumps(result))
