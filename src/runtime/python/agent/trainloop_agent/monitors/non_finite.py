"""TL003: the loss or a gradient became NaN or infinite; reports the first batch and line, and which gradients.

Rule (AUTOTRAINER's `nan_loss` / `nan_gradient` checks, utils/monitor.py): the loss backward() was called on is not
finite, or at a step the norm of some gradient is not finite. The loss value is the one BatchTracker already read, so
this costs no extra read-back; gradients come from the per-step norms other detectors share.
"""
import math

import torch

from ..diagnostics import number
from .base import Monitor

__all__ = ["NonFiniteMonitor"]


class NonFiniteMonitor(Monitor):
    code = "TL003"

    def on_backward_end(self, tensor):
        tracker = self.hooks.tracker
        loss = getattr(tracker, "loss", None)
        if not isinstance(loss, float) or math.isfinite(loss) or tensor.numel() != 1:
            return
        bad = self._non_finite_gradients()
        evidence = {"loss": loss, "first_batch": self.reporter.current_batch(), "non_finite_gradients": bad}
        self.report(evidence=evidence, quantity="The loss", value=number(loss))
        self.finish()

    def on_step_start(self, optimizer):
        norms = self.hooks.sampled_gradient_norms(optimizer)
        if norms is None or math.isfinite(norms.total):
            return
        bad = self._non_finite_gradients()  # sums of squares overflow before the gradients do: check the values
        if not bad:
            return
        first = next(n for n in norms.norms if not math.isfinite(n))
        evidence = {"first_batch": self.reporter.current_batch(), "non_finite_gradients": bad}
        self.report(
            evidence=evidence,
            quantity=f"The gradient of {bad[0]}" + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""),
            value=number(first),
        )
        self.finish()

    def _non_finite_gradients(self):
        params = []
        for optimizer in self.hooks.live_optimizers():
            params.extend(p for group in optimizer.param_groups for p in group["params"] if p.grad is not None)
        if not params:
            return []
        with torch.no_grad():
            finite = torch.stack([torch.isfinite(p.grad.detach()).all() for p in params]).tolist()
        return [self.hooks.parameter_name(p) for p, ok in zip(params, finite) if not ok]
