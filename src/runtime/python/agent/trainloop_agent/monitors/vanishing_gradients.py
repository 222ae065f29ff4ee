"""TL005: the first layer's gradient is a tiny fraction of the last layer's, so early layers barely learn.

Rule (AUTOTRAINER, utils/monitor.py `gradient_issue`: beta_1 = 1e-3, beta_2 = 1e-4): with the weights (parameters
of two or more dimensions) in the optimizer's order, ‖∇W_first‖ / ‖∇W_last‖ < RATIO_THRESHOLD and
‖∇W_first‖ < FIRST_NORM_THRESHOLD, on CONSECUTIVE_STEPS measured steps in a row (hooks.DENSE_GRADIENT_STEPS).
"""
import math

from ..diagnostics import number
from .base import Monitor

__all__ = ["VanishingGradientMonitor", "RATIO_THRESHOLD", "FIRST_NORM_THRESHOLD", "CONSECUTIVE_STEPS"]

RATIO_THRESHOLD = 1e-3
FIRST_NORM_THRESHOLD = 1e-4
CONSECUTIVE_STEPS = 5


class VanishingGradientMonitor(Monitor):
    code = "TL005"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.streak = {}  # id(optimizer) -> steps in a row that met the rule

    def on_step_start(self, optimizer):
        key = id(optimizer)
        norms = self.hooks.sampled_gradient_norms(optimizer)
        if norms is None:
            return
        weights = [(p, n) for p, n in zip(norms.params, norms.norms) if p.dim() >= 2]
        if len(weights) < 2:
            return
        (first, first_norm), (last, last_norm) = weights[0], weights[-1]
        if not (math.isfinite(first_norm) and math.isfinite(last_norm)) or last_norm == 0.0:
            self.streak[key] = 0
            return
        ratio = first_norm / last_norm
        if not (ratio < RATIO_THRESHOLD and first_norm < FIRST_NORM_THRESHOLD):
            self.streak[key] = 0
            return
        self.streak[key] = self.streak.get(key, 0) + 1
        if self.streak[key] < CONSECUTIVE_STEPS:
            return
        first_name, last_name = self.hooks.parameter_name(first), self.hooks.parameter_name(last)
        evidence = {
            "first_layer": first_name,
            "last_layer": last_name,
            "first_gradient_norm": first_norm,
            "last_gradient_norm": last_norm,
            "ratio": ratio,
            "steps_in_a_row": self.streak[key],
            "rule": f"‖∇{first_name}‖/‖∇{last_name}‖ < {RATIO_THRESHOLD:g} and ‖∇{first_name}‖ < "
            f"{FIRST_NORM_THRESHOLD:g} for {CONSECUTIVE_STEPS} steps (AUTOTRAINER)",
        }
        self.report(
            evidence=evidence,
            cause=key,
            first=first_name,
            first_norm=number(first_norm),
            ratio=number(ratio),
            last=last_name,
            last_norm=number(last_norm),
            steps=self.streak[key],
        )
        self.streak[key] = -(1 << 30)  # reported: never again for this optimizer
