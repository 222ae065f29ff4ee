# Checks the training watch's panel measurements (histograms, norms, measured update ratios, sampling budget) with
# asserts; prints "ok". Runs under the runtime and under real PyTorch: argv[1] is the folder holding trainloop_agent.
import math
import sys
import types

sys.path.insert(0, sys.argv[1])

import torch  # noqa: E402

from trainloop_agent import sampling_budget  # noqa: E402
from trainloop_agent.parameter_histograms import BINS, parameter_histograms  # noqa: E402
from trainloop_agent.tensor_reads import squared_sums  # noqa: E402
from trainloop_agent.weight_updates import PATIENCE, WeightUpdates  # noqa: E402


def reference(values):
    lo, hi = min(values), max(values)
    counts = [0] * BINS
    for v in values:
        counts[min(max(int((v - lo) * BINS / (hi - lo)), 0), BINS - 1) if hi > lo else 0] += 1
    return lo, hi, counts


# ---- histograms: every value of a small tensor, every 3rd of one over 20,000, constants in one bin, NaN left out
torch.manual_seed(0)
w, g = torch.randn(50, 7), torch.randn(50_001)
zeros = torch.zeros(5)
histograms = parameter_histograms(["w", "zeros", "bad"], [w, zeros, torch.tensor([1.0, float("nan")])],
                                  [g, zeros, torch.ones(2)])
assert sorted(histograms) == ["w", "zeros"], sorted(histograms)
for got, values in ((histograms["w"]["weights"], w.reshape(-1).tolist()), (histograms["w"]["grads"], g[::3].tolist())):
    lo, hi, counts = reference(values)
    assert math.isclose(got["min"], lo, rel_tol=1e-6) and math.isclose(got["max"], hi, rel_tol=1e-6), (got, lo, hi)
    assert sum(got["counts"]) == len(values), (sum(got["counts"]), len(values))
    # float32 against float64 may put a value on a bin edge into the neighbouring bin
    assert sum(abs(a - b) for a, b in zip(got["counts"], counts)) <= 4, (got["counts"], counts)
assert histograms["zeros"]["weights"]["counts"] == [5] + [0] * (BINS - 1)

# ---- sums of squares (the gradient and weight norms): one per tensor, a non-finite value shows in its sum
sums = squared_sums([torch.ones(4, 3), torch.tensor([3.0, -4.0]), torch.tensor([1.0, float("inf")]),
                     torch.tensor([float("nan"), 1.0])])
assert sums[:2] == [12.0, 25.0], sums
assert math.isinf(sums[2]) and math.isnan(sums[3]), sums
assert squared_sums([]) == []

# ---- update ratios: ‖Δw‖/‖w‖ of the parameters that moved, only once they moved, not after PATIENCE batch ends
a, b = torch.ones(4, 3), torch.full((2,), 2.0)
updates = WeightUpdates()
updates.snapshot(["a", "b"], [a, b])
assert updates.measure() is None, "nothing moved yet"
with torch.no_grad():
    a[0, 0] += 0.3
ratios = updates.measure()
assert list(ratios) == ["a"], ratios
assert math.isclose(ratios["a"], 0.3 / math.sqrt(12), rel_tol=1e-5), ratios
assert updates.measure() is None, "a measurement drops the copies"
updates.snapshot(["a"], [a])
for _ in range(PATIENCE):
    assert updates.measure() is None
with torch.no_grad():
    a.mul_(2)
assert updates.measure() is None, f"copies dropped after {PATIENCE} batch ends without a step"

# ---- sampling budget: at most every min_interval, and a slow measurement spaces the next by its cost / share
now = [100.0]
sampling_budget.time = types.SimpleNamespace(monotonic=lambda: now[0])
budget = sampling_budget.SamplingBudget(0.2, 0.02)
assert budget.due()
budget.spent(100.0, 0.001)  # fast: the next one 0.2 s after this one's start
now[0] = 100.199
assert not budget.due()
now[0] = 100.2
assert budget.due()
budget.spent(100.2, 0.01)  # slow: 0.01 / 0.02 = 0.5 s after its start
now[0] = 100.69
assert not budget.due()
now[0] = 100.7
assert budget.due()
print("ok")
