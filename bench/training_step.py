# Benchmark script: median wall and CPU time of one training step of the quickstart MLP (batch 64); runs under real
# PyTorch and Trainloop.
import json
import statistics
import time

from cpu_time import cpu_seconds
from quickstart_mlp_step import step  # the shared model, batch and step


for _ in range(20):
    step()
times, cpus = [], []
for _ in range(200):
    started, cpu = time.perf_counter(), cpu_seconds()
    step().item()
    times.append(time.perf_counter() - started)
    cpus.append(cpu_seconds() - cpu)
# CPU time counts every thread of the process (PyTorch's intra-op threads, TensorFlow's), so it can exceed the wall.
print(json.dumps({"step_ms": statistics.median(times) * 1000, "step_cpu_ms": statistics.median(cpus) * 1000}))
