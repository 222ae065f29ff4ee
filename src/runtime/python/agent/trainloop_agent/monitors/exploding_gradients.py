"""TL004: the gradients explode: the gradient norm grows geometrically, step after step, while the loss rises.

Rule (divergence, not size: a loss summed over many points, or a steep model, has large gradients that are stable):
the global gradient norm (all of one optimizer's gradients) grew by at least MIN_GROWTH on each of GROWTH_STEPS or more
measured steps in a row, SPIKE_FACTOR× or more in all, and the loss of the last of those steps is above the loss of the
first. A random graph (a forward that picks its depth per call) or a noisy batch makes single jumps, not such a climb.
Measured steps: every step at first, then every few (hooks.DENSE_GRADIENT_STEPS). The losses are the scalars
backward() was called on, kept on their device and read only when the norms already climb.
"""
import math

from ..diagnostics import number
from .base import Monitor

__all__ = ["ExplodingGradientMonitor", "GROWTH_STEPS", "MIN_GROWTH", "SPIKE_FACTOR"]

GROWTH_STEPS = 5  # measured steps in a row whose norm grew
MIN_GROWTH = 1.1  # at least ×1.1 each: a slow drift is not an explosion
SPIKE_FACTOR = 10.0  # and ×10 in all


class _Climb:
    __slots__ = ("norms", "losses")

    def __init__(self):
        self.norms = []  # the measured norms of the current climb, its starting point first
        self.losses = []  # the loss tensor behind each of them (or None)


class ExplodingGradientMonitor(Monitor):
    code = "TL004"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.climbs = {}  # id(optimizer) -> _Climb
        self.last_loss = None  # the scalar of the latest backward(), detached: no read until a climb asks for it
        self.done = set()

    def on_backward_start(self, tensor):
        self.last_loss = tensor.detach() if tensor.dim() == 0 else None

    def on_step_start(self, optimizer):
        key = id(optimizer)
        if key in self.done:
            return
        norms = self.hooks.sampled_gradient_norms(optimizer)
        if norms is None:
            return
        total = norms.total
        if not math.isfinite(total) or total == 0.0:  # non-finite: TL003's; zero: no gradients this step
            self.climbs.pop(key, None)
            return
        climb = self.climbs.setdefault(key, _Climb())
        if not climb.norms or total < MIN_GROWTH * climb.norms[-1]:
            climb.norms, climb.losses = [], []  # the climb (if any) ended: this step starts the next one
        climb.norms.append(total)
        climb.losses.append(self.last_loss)
        if len(climb.norms) <= GROWTH_STEPS or total < SPIKE_FACTOR * climb.norms[0]:
            return
        first, last = _value(climb.losses[0]), _value(climb.losses[-1])
        if first is not None and last is not None and math.isfinite(last) and last <= first:
            climb.norms, climb.losses = climb.norms[-1:], climb.losses[-1:]  # steeper, not diverging: start over
            return
        self.done.add(key)
        self.climbs.pop(key, None)
        steps = len(climb.norms) - 1
        factor = total / climb.norms[0]
        evidence = {
            "gradient_norm": total,
            "factor": factor,
            "growing_steps": steps,
            "norms": climb.norms[-8:],
            "loss_first": first,
            "loss_last": last,
            "rule": f"norm grew ≥ {MIN_GROWTH:g}× on each of ≥ {GROWTH_STEPS} measured steps in a row, "
            f"≥ {SPIKE_FACTOR:g}× in all, while the loss rose",
        }
        values = dict(
            norm=number(total),
            steps=steps,
            factor=f"{factor:.0f}",
            recent=", ".join(number(n) for n in climb.norms[-4:]),
            loss_first=number(first) if first is not None else "?",
            loss_last=number(last) if last is not None else "?",
        )
        if self.reporter.current_batch() is None:  # a plain loop: its unit is the iteration (optimizer.step() calls)
            self.report(evidence=evidence, cause=key, template="TL004.iteration",
                        iteration=self.hooks.step_counts.get(key, 0) + 1, **values)
        else:
            self.report(evidence=evidence, cause=key, **values)


def _value(loss):
    """The loss tensor's value as a float, or None when there was no scalar loss."""
    if loss is None:
        return None
    try:
        return float(loss)
    except (RuntimeError, TypeError, ValueError):
        return None
