"""TL004: the global gradient norm jumps far above its recent level.

Rule (a robust spike test, in the spirit of AUTOTRAINER's `explode_gradient` feature, utils/monitor.py): after
WARMUP_STEPS measured steps, SPIKE_STEPS measured steps in a row whose gradient norm (all of one optimizer's
gradients) exceeds SPIKE_FACTOR times the median of the WINDOW_STEPS measured norms before them. Medians and the
second step ignore single odd batches; a steady climb crosses the factor too. Measured steps: every step at first,
then every few (hooks.DENSE_GRADIENT_STEPS).
"""
import math
from collections import deque
from statistics import median

from ..diagnostics import number
from .base import Monitor

__all__ = ["ExplodingGradientMonitor", "WARMUP_STEPS", "WINDOW_STEPS", "SPIKE_FACTOR", "SPIKE_STEPS"]

WARMUP_STEPS = 20
WINDOW_STEPS = 20
SPIKE_FACTOR = 10.0
SPIKE_STEPS = 2  # a single odd batch is not an explosion


class ExplodingGradientMonitor(Monitor):
    code = "TL004"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.norms = {}  # id(optimizer) -> deque of recent global gradient norms (the baseline)
        self.seen = {}  # id(optimizer) -> steps measured
        self.above = {}  # id(optimizer) -> norms above the limit in a row (kept out of the baseline)
        self.done = set()

    def on_step_start(self, optimizer):
        key = id(optimizer)
        if key in self.done:
            return
        norms = self.hooks.sampled_gradient_norms(optimizer)
        if norms is None:
            return
        total = norms.total
        if not math.isfinite(total) or total == 0.0:  # non-finite: TL003's; zero: no gradients this step
            return
        recent = self.norms.setdefault(key, deque(maxlen=WINDOW_STEPS))
        seen = self.seen.get(key, 0) + 1
        self.seen[key] = seen
        level = median(recent) if seen > WARMUP_STEPS and len(recent) == WINDOW_STEPS else 0.0
        if not (level > 0 and total > SPIKE_FACTOR * level):
            self.above[key] = []
            recent.append(total)
            return
        above = self.above.setdefault(key, [])
        above.append(total)
        if len(above) < SPIKE_STEPS:
            return
        self.done.add(key)
        evidence = {
            "gradient_norm": total,
            "median_of_previous": level,
            "factor": total / level,
            "norms_above_limit": above,
            "previous_norms": list(recent)[-5:],
            "rule": f"norm > {SPIKE_FACTOR:g} x median of the previous {WINDOW_STEPS} measured steps, "
            f"{SPIKE_STEPS} measured steps in a row (after {WARMUP_STEPS} warm-up steps)",
        }
        self.report(
            evidence=evidence,
            cause=key,
            norm=number(total),
            factor=f"{total / level:.0f}",
            median=number(level),
            window=WINDOW_STEPS,
            recent=", ".join(number(n) for n in list(recent)[-3:] + above),
        )
