"""TL011: the learning rate is far too high or too low for this model: each step changes the weights too much or
too little.

Rule (DeepDiagnosis, Wardat et al., ICSE 2022; the update-to-weight heuristic): the step's update-to-weight ratio
‖W_after − W_before‖ / ‖W_before‖ over the optimizer's parameters that got a non-zero gradient (lr·‖∇W‖/‖W‖ for
plain SGD; frozen or dead parts say nothing about the learning rate) is outside
[TARGET_RATIO / RANGE_FACTOR, TARGET_RATIO × RANGE_FACTOR] on the same side for OUT_OF_RANGE_SAMPLES measurements
in a row, with the learning rate unchanged meanwhile (warm-up schedules reset the count). The first WARMUP_STEPS
steps are not measured (freshly initialised weights move fast at first); then DENSE_STEPS steps in a row are, then
every SAMPLE_EVERY-th step: one copy of the weights and one read-back per measurement.

"Too low" also needs the run to be stuck where it started: the loss fell by at most MIN_PROGRESS over the streak (first
half against second half of its measurements), and the gradient norm is still at least KEPT_GRADIENT of the first
step's. Tiny steps with a loss that falls, or with gradients that shrank (a model near its minimum), show a rate that
works: an ill-conditioned fit such as PyTorch's polynomial tutorial takes tiny steps because a larger rate diverges.
No rate is suggested for "too low": nothing the run measured says how much higher would still converge. A lower rate
is suggested for "too high".
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
MIN_PROGRESS = 0.01  # the loss fell by more than 1 %: the rate is not too low
KEPT_GRADIENT = 0.5  # the gradient norm is still at least half the first step's: the weights have not got anywhere
WARMUP_STEPS = 20
DENSE_STEPS = 10
SAMPLE_EVERY = 50


class _Streak:
    __slots__ = ("steps", "snapshot", "direction", "count", "lrs", "ratios", "losses", "first_gradient", "gradients")

    def __init__(self):
        self.steps = 0
        self.snapshot = None
        self.direction = None
        self.count = 0
        self.lrs = None
        self.ratios = []
        self.first_gradient = None  # the gradient norm of the optimizer's first step
        self.gradients = []  # the gradient norm at each measurement
        self.losses = []  # the loss tensor behind each measurement (or None), read only when the streak is complete


class LearningRateMonitor(Monitor):
    code = "TL011"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.streaks = {}  # id(optimizer) -> _Streak
        self.last_loss = None  # the scalar of the latest backward(), detached: no read unless a streak completes
        self.done = set()

    def on_backward_start(self, tensor):
        self.last_loss = tensor.detach() if tensor.dim() == 0 else None

    def on_step_start(self, optimizer):
        key = id(optimizer)
        if key in self.done:
            return
        streak = self.streaks.get(key)
        if streak is None:
            streak = self.streaks[key] = _Streak()
        n = streak.steps - WARMUP_STEPS
        streak.steps += 1
        if streak.first_gradient is None:  # the first step with gradients (the norms are shared with other detectors)
            total = self.hooks.gradient_norms(optimizer).total
            if math.isfinite(total) and total > 0:
                streak.first_gradient = total
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
        gradient = math.sqrt(sum(values[2 * n + i] ** 2 for i in moved))
        low, high = TARGET_RATIO / RANGE_FACTOR, TARGET_RATIO * RANGE_FACTOR
        direction = "lower" if ratio > high else "higher" if ratio < low else None
        if direction is None or direction != streak.direction or lrs != streak.lrs:
            streak.count, streak.ratios, streak.losses, streak.gradients = 0, [], [], []
        streak.direction, streak.lrs = direction, lrs
        if direction is None:
            return
        streak.count += 1
        streak.ratios.append(ratio)
        streak.losses.append(self.last_loss)
        streak.gradients.append(gradient)
        if streak.count < OUT_OF_RANGE_SAMPLES:
            return
        progress = _loss_progress(streak.losses)
        typical_gradient = sorted(streak.gradients)[len(streak.gradients) // 2]
        kept = typical_gradient / streak.first_gradient if streak.first_gradient else 0.0
        if direction == "higher" and (progress is None or progress > MIN_PROGRESS or not kept >= KEPT_GRADIENT):
            # The loss falls, the gradients shrank (near a minimum), or the loss is unknown: not shown too low.
            streak.count, streak.ratios, streak.losses, streak.gradients = 0, [], [], []
            return
        self.done.add(key)
        self.streaks.pop(key, None)
        typical = sorted(streak.ratios)[len(streak.ratios) // 2]
        lr = lrs[0] if isinstance(lrs[0], (int, float)) else None
        suggested = "?"
        if lr and direction == "lower":
            suggested = number(float(10 ** round(math.log10(lr * TARGET_RATIO / typical))))
        location = user_location()
        evidence = {
            "update_to_weight_ratio": typical,
            "measurements_in_a_row": streak.count,
            "recent_ratios": streak.ratios[-5:],
            "learning_rate": lr,
            "loss_progress": progress,
            "gradient_kept": kept,
            "step": streak.steps,
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
            **({"suggested": suggested} if direction == "lower" else {"progress": f"{100 * max(progress, 0.0):.2g}%"}),
        )


def _loss_progress(losses):
    """How much the loss fell from the first half of the measurements to the second, relative to the first; None when
    a loss is missing or not finite."""
    values = []
    for loss in losses:
        try:
            value = float(loss) if loss is not None else None
        except (RuntimeError, TypeError, ValueError):
            value = None
        if value is None or not math.isfinite(value):
            return None
        values.append(value)
    half = len(values) // 2
    if half == 0:
        return None
    before, after = sum(values[:half]) / half, sum(values[half:]) / (len(values) - half)
    return (before - after) / abs(before) if before else 0.0
