"""TL011: the learning rate is far too high or too low for this model: each step changes the weights too much or
too little.

Rule (DeepDiagnosis, Wardat et al., ICSE 2022; the update-to-weight heuristic): the step's update-to-weight ratio
‖W_after − W_before‖ / ‖W_before‖ over the optimizer's parameters that got a non-zero gradient (lr·‖∇W‖/‖W‖ for
plain SGD; frozen or dead parts say nothing about the learning rate) is outside
[TARGET_RATIO / RANGE_FACTOR, TARGET_RATIO × RANGE_FACTOR] on the same side for OUT_OF_RANGE_SAMPLES measurements
in a row, with the learning rate unchanged meanwhile (warm-up schedules reset the count). The first WARMUP_STEPS
steps are not measured (freshly initialised weights move fast at first); then DENSE_STEPS steps in a row are, then
every SAMPLE_EVERY-th step: one copy of the weights and one read-back per measurement.
"""
import math

from ..diagnostics import call_receiver, number, user_location
from ..tensor_reads import kept_copies
from .base import Monitor
from .hooks import update_norms

__all__ = ["LearningRateMonitor", "TARGET_RATIO", "RANGE_FACTOR", "OUT_OF_RANGE_SAMPLES"]

TARGET_RATIO = 1e-3
RANGE_FACTOR = 100.0
OUT_OF_RANGE_SAMPLES = 10
WARMUP_STEPS = 20
DENSE_STEPS = 10
SAMPLE_EVERY = 50


class _Streak:
    __slots__ = ("steps", "snapshot", "direction", "count", "lrs", "ratios")

    def __init__(self):
        self.steps = 0
        self.snapshot = None
        self.direction = None
        self.count = 0
        self.lrs = None
        self.ratios = []


class LearningRateMonitor(Monitor):
    code = "TL011"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.streaks = {}  # id(optimizer) -> _Streak
        self.done = set()

    def on_step_start(self, optimizer):
        key = id(optimizer)
        if key in self.done:
            return
        streak = self.streaks.get(key)
        if streak is None:
            streak = self.streaks[key] = _Streak()
        n = streak.steps - WARMUP_STEPS
        streak.steps += 1
        if n < 0 or (n >= DENSE_STEPS and n % SAMPLE_EVERY):
            return
        params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        if params:
            streak.snapshot = (params, kept_copies(params), [p.grad for p in params])  # update_norms gives them back

    def on_step_end(self, optimizer):
        key = id(optimizer)
        streak = self.streaks.get(key)
        if streak is None or streak.snapshot is None:
            return
        params, before, grads = streak.snapshot
        streak.snapshot = None
        values = update_norms(params, before, grads)  # the differences made in the copies: no new tensor
        n = len(params)
        # Only parameters that got a gradient: frozen or dead parts (TL006) do not move and say nothing about lr.
        moved = [i for i in range(n) if values[2 * n + i] != 0.0]
        update = math.sqrt(sum(values[i] ** 2 for i in moved))
        weights = math.sqrt(sum(values[n + i] ** 2 for i in moved))
        lrs = tuple(group.get("lr") for group in optimizer.param_groups)
        if not (math.isfinite(update) and math.isfinite(weights)) or update == 0.0 or weights == 0.0:
            streak.count, streak.direction = 0, None  # no update (TL002/TL010) or non-finite (TL003)
            return
        ratio = update / weights
        low, high = TARGET_RATIO / RANGE_FACTOR, TARGET_RATIO * RANGE_FACTOR
        direction = "lower" if ratio > high else "higher" if ratio < low else None
        if direction is None or direction != streak.direction or lrs != streak.lrs:
            streak.count, streak.ratios = 0, []
        streak.direction, streak.lrs = direction, lrs
        if direction is None:
            return
        streak.count += 1
        streak.ratios.append(ratio)
        if streak.count < OUT_OF_RANGE_SAMPLES:
            return
        self.done.add(key)
        self.streaks.pop(key, None)
        typical = sorted(streak.ratios)[len(streak.ratios) // 2]
        lr = lrs[0] if isinstance(lrs[0], (int, float)) else None
        suggested = "?"
        if lr:
            suggested = number(float(10 ** round(math.log10(lr * TARGET_RATIO / typical))))
        location = user_location()
        evidence = {
            "update_to_weight_ratio": typical,
            "measurements_in_a_row": streak.count,
            "recent_ratios": streak.ratios[-5:],
            "learning_rate": lr,
            "rule": f"‖ΔW‖/‖W‖ outside [{low:g}, {high:g}] for {OUT_OF_RANGE_SAMPLES} measurements in a row "
            f"(DeepDiagnosis)",
        }
        self.report(
            location,
            evidence=evidence,
            cause=key,
            template=f"TL011.{direction}",
            lr=number(lr) if lr is not None else "?",
            optimizer=call_receiver(location, "step", "optimizer"),
            ratio=number(typical),
            count=streak.count,
            recent=", ".join(number(r) for r in streak.ratios[-3:]),
            suggested=suggested,
        )
