# Benchmark script: what one tensor op costs from Python, on tiny tensors (so the kernel is almost nothing): unrecorded
# (no input requires grad), recorded by autograd, and recorded with its share of a backward(); wall and CPU time.
# Runs under real PyTorch and Trainloop.
import json
import statistics
import time

import torch

from cpu_time import cpu_seconds

a = torch.ones(4)
b = torch.ones(4)
w = torch.ones(4, requires_grad=True)
ROUNDS = 7


def per_op_us(run, ops):
    """Median wall and CPU microseconds per op over ROUNDS rounds of `run()`, which does `ops` ops."""
    for _ in range(max(1, 200 // ops)):
        run()
    walls, cpus = [], []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), cpu_seconds()
        run()
        walls.append((time.perf_counter() - wall) / ops * 1e6)
        cpus.append((cpu_seconds() - cpu) / ops * 1e6)
    return statistics.median(walls), statistics.median(cpus)


def repeat(op, times=2000):
    def run():
        for _ in range(times):
            op()
    return run


def chains(times=40, length=20):
    """`length` recorded multiplications, then the whole graph's backward(): each op's share of both."""
    def run():
        for _ in range(times):
            x = w
            for _ in range(length):
                x = x * b
            x.sum().backward()
    return run


unrecorded, unrecorded_cpu = per_op_us(repeat(lambda: a + b), 2000)
recorded, recorded_cpu = per_op_us(repeat(lambda: w + b), 2000)
backward, backward_cpu = per_op_us(chains(), 40 * 22)
print(json.dumps({
    "unrecorded_us": unrecorded, "unrecorded_cpu_us": unrecorded_cpu,
    "recorded_us": recorded, "recorded_cpu_us": recorded_cpu,
    "recorded_backward_us": backward, "recorded_backward_cpu_us": backward_cpu,
}))
