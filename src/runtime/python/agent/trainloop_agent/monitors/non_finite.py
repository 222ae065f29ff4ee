"""TL003: the loss or a gradient became NaN or infinite; reports the first batch and line, and which gradients.

Rule (AUTOTRAINER's `nan_loss` / `nan_gradient` checks, utils/monitor.py): the loss backward() was called on is not
finite, or at a step the norm of some gradient is not finite. The loss value is the one BatchTracker already read, so
this costs no extra read-back; gradients come from the per-step norms other detectors share. A loss on an accelerator
is read by the tracker a few batches later (no device sync per batch): it is judged then, reported at the line and
batch of its backward(). With a GradScaler the loss is the unscaled one.
"""
import math

import torch

from ..diagnostics import number, user_location
from ..tensor_reads import read_floats
from .base import Monitor

__all__ = ["NonFiniteMonitor"]


class NonFiniteMonitor(Monitor):
    code = "TL003"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.unread = {}  # batch -> Location of the backward() of a loss not read yet

    def on_backward_end(self, tensor):
        tracker = self.hooks.tracker
        if tensor.numel() != 1:
            return
        loss = getattr(tracker, "loss", None)
        if loss is None and getattr(tracker, "loss_tensor", None) is not None:
            self.unread[tracker.batch] = user_location()  # judged when the tracker reads it (on_loss_read)
            return
        if not isinstance(loss, float) or math.isfinite(loss):
            return
        self._report_loss(loss, self.reporter.current_batch(), None)

    def on_loss_read(self, batch, loss):
        location = self.unread.pop(batch, None)
        if len(self.unread) > 64:  # batches whose loss never came (read failed): forget them
            self.unread.clear()
        if isinstance(loss, float) and not math.isfinite(loss):
            self._report_loss(loss, batch, location)

    def _report_loss(self, loss, batch, location):
        bad, total = self._non_finite_gradients()
        evidence = {"loss": loss, "first_batch": batch, "non_finite_gradients": bad, "gradients": total}
        self.report(location, evidence=evidence, template="TL003.loss", value=number(loss), batch=batch,
                    count=len(bad), total=total)
        self.finish()

    def on_step_start(self, optimizer):
        norms = self.hooks.sampled_gradient_norms(optimizer)
        if norms is None or math.isfinite(norms.total):
            return
        if self.unread:  # a non-finite loss not read yet is the cause to report: read the losses now (a rare sync)
            tracker = self.hooks.tracker
            tracker.read_losses()
            if not self.active:
                return
            if tracker.batch in self.unread:
                loss = tracker.current_loss()
                if loss is not None and not math.isfinite(loss):
                    self._report_loss(loss, tracker.batch, self.unread.pop(tracker.batch))
                    return
        bad, total = self._non_finite_gradients()  # sums of squares overflow before the gradients do: check the values
        if not bad:
            return
        first = next(n for n in norms.norms if not math.isfinite(n))
        evidence = {"first_batch": self.reporter.current_batch(), "non_finite_gradients": bad, "gradients": total}
        self.report(evidence=evidence, template="TL003.gradient", parameter=bad[0], value=number(first),
                    count=len(bad), total=total)
        self.finish()

    def _non_finite_gradients(self):
        """The names of the gradients that hold NaN or ±Inf, and how many gradients the optimizers hold."""
        params = []
        for optimizer in self.hooks.live_optimizers():
            params.extend(p for group in optimizer.param_groups for p in group["params"] if p.grad is not None)
        if not params:
            return [], 0
        with torch.no_grad():
            finite = read_floats([torch.isfinite(p.grad.detach()).all() for p in params])
        return [self.hooks.parameter_name(p) for p, ok in zip(params, finite) if not ok], len(params)
