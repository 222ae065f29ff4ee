"""TL002: the gradients are cleared between backward() and optimizer.step(), so the step sees none and nothing learns.

Rule: a step() whose optimizer holds no gradient (all None, or all zeros after a zero_grad() seen since the last
backward()) although backward() ran since its previous step. Evidence: what cleared them, and how far the step moved
the smallest parameter (not at all, unless momentum or weight decay did).
"""
import torch

from ..diagnostics import call_receiver, number, user_location
from .base import Monitor
from .gradients import gradients_are_empty, optimizer_params, smallest

__all__ = ["GradientsClearedBeforeStepMonitor"]


class GradientsClearedBeforeStepMonitor(Monitor):
    code = "TL002"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.backward_since_step = {}  # id(optimizer) -> bool
        self.cleared_by = {}  # id(optimizer) -> (Location, source text) of a zero_grad() after backward()
        self.pending = {}  # id(optimizer) -> (parameter, copy before the step, evidence)

    def on_optimizer_created(self, optimizer):
        self.backward_since_step[id(optimizer)] = False

    def on_backward_end(self, tensor):
        for key in self.backward_since_step:
            self.backward_since_step[key] = True
            self.cleared_by.pop(key, None)

    def on_zero_grad(self, owner):
        if id(owner) in self.backward_since_step:
            affected = [owner]
        else:
            cleared = {id(p) for p in owner.parameters()}
            affected = [o for o in self.hooks.live_optimizers() if any(id(p) in cleared for p in optimizer_params(o))]
        for optimizer in affected:
            if self.backward_since_step.get(id(optimizer)):
                location = user_location()
                self.cleared_by[id(optimizer)] = (location, location.source() if location else "zero_grad()")

    def on_step_start(self, optimizer):
        key = id(optimizer)
        if not self.backward_since_step.get(key):
            return
        params = optimizer_params(optimizer)
        cleared = self.cleared_by.get(key)
        if cleared is None and params and params[0].grad is not None:
            return  # the usual case, decided with one look at one gradient
        if any(p.grad is not None for p in params) and (cleared is None or not gradients_are_empty(params)):
            return
        sample = smallest(params)
        evidence = {"gradients": "None" if all(p.grad is None for p in params) else "0"}
        self.pending[key] = (sample, sample.detach().clone(), evidence, cleared)

    def on_step_end(self, optimizer):
        key = id(optimizer)
        self.backward_since_step[key] = False
        pending = self.pending.pop(key, None)
        self.cleared_by.pop(key, None)
        if pending is None:
            return
        sample, before, evidence, cleared = pending
        with torch.no_grad():  # how far the step moved the sample (0 unless momentum or weight decay did)
            change = (sample.detach().float() - before.float()).abs().max().item() if sample.numel() else 0.0
        evidence["parameters_changed_by_step"] = change != 0.0
        name = self.hooks.parameter_name(sample)
        evidence.update({"parameter": name, "largest_change": change})
        step_location = user_location()
        location, clear_text = cleared if cleared else (step_location, "clearing the gradients")
        self.report(
            location,
            evidence=evidence,
            cause=key,
            clear=clear_text,
            optimizer=call_receiver(step_location, "step", "optimizer"),
            state=evidence["gradients"],
            parameter=name,
            change=number(change, 2),
        )
