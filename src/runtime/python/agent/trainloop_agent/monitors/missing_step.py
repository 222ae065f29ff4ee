"""TL010: gradients are computed but the parameters never change.

Rules: (1) backward() runs in every batch of a whole pass over a DataLoader (at least MIN_PASS_BATCHES batches), or in
NO_STEP_BATCHES batches in a row, with no optimizer.step() in between, and a parameter that received gradients is
unchanged over that time (so a hand-written update `p -= lr * p.grad` is not reported). (2) After the first
CONFIRM_STEPS optimizer steps, parameters of the models called since the optimizer was made (not a model of an earlier
part of the script) that require grad and receive gradients belong to no optimizer and have not changed.
"""
from ..diagnostics import user_location
from .base import Monitor
from .gradients import optimizer_params, same_values, smallest

__all__ = ["MissingStepMonitor", "NO_STEP_BATCHES", "MIN_PASS_BATCHES", "CONFIRM_STEPS"]

NO_STEP_BATCHES = 64  # longer than any sensible gradient-accumulation run
MIN_PASS_BATCHES = 4
CONFIRM_STEPS = 3


class MissingStepMonitor(Monitor):
    code = "TL010"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.streak = 0  # batches with backward() since the last step
        self.last_batch = None
        self.sample = None  # (parameter, copy) taken when the streak began
        self.location = None
        self.steps = 0
        self.unoptimized = None  # (parameters, sample, copy) found after the first step
        # ids of the models called since the last optimizer was made: a model of an earlier part of the script (kept
        # alive by a variable, its stale gradients still there) is not one this optimizer was meant to train
        self.called = set()
        self.no_step_rule = True

    # ---- rule 1: backward() without step() ---------------------------------------------------------------------
    def on_backward_end(self, tensor):
        if not self.no_step_rule:
            return
        batch = self.hooks.tracker.batch
        if batch == self.last_batch and batch >= 0:  # one count per batch (every backward() without a DataLoader)
            return
        self.last_batch = batch
        self.streak += 1
        if self.streak == 2:  # a second batch without step(): from here on, watch whether parameters change
            params = [p for model in self.hooks.live_models() for p in model.parameters() if p.grad is not None]
            sample = smallest(params)
            self.sample = (sample, sample.detach().clone()) if sample is not None else None
            self.location = user_location()
        if self.streak >= NO_STEP_BATCHES:
            self._confirm_no_step()

    def on_loader_pass_end(self, loader):
        if not self.no_step_rule or self.streak < MIN_PASS_BATCHES:
            return
        try:
            batches = len(loader)
        except TypeError:
            return
        if self.streak >= batches:
            self._confirm_no_step(batches)

    def _confirm_no_step(self, pass_batches=None):
        if self.sample is None:
            return
        param, before = self.sample
        if not same_values(param, before):  # updated some other way (by hand): not this bug
            self.no_step_rule = False
            return
        optimizers = self.hooks.live_optimizers()
        name = self.hooks.parameter_name(param)
        evidence = {
            "batches_without_step": self.streak,
            "optimizers": len(optimizers),
            "sample_parameter": name,
            "sample_parameter_changed": False,
        }
        if pass_batches is not None:
            evidence["batches_in_loader_pass"] = pass_batches
        template = "TL010.no_step" if optimizers else "TL010.no_optimizer"
        self.report(self.location, evidence=evidence, cause="no-step", template=template, batches=self.streak,
                    parameter=name)
        self.no_step_rule = False

    def on_optimizer_created(self, optimizer):
        self.called.clear()

    def on_model_call(self, model, args, output):
        self.called.add(id(model))

    def on_step_end(self, optimizer):
        self.streak = 0
        self.sample = None
        self.last_batch = None
        self.steps += 1
        if self.steps == 1:
            self._find_unoptimized()
        elif self.steps == 1 + CONFIRM_STEPS and self.unoptimized:
            self._confirm_unoptimized()

    # ---- rule 2: parameters no optimizer updates -----------------------------------------------------------------
    def _find_unoptimized(self):
        optimized = {id(p) for o in self.hooks.live_optimizers() for p in optimizer_params(o)}
        seen = set()
        found = []
        for model in self.hooks.live_models():
            if id(model) not in self.called:
                continue
            for p in model.parameters():
                if id(p) in seen:
                    continue
                seen.add(id(p))
                if p.requires_grad and p.grad is not None and id(p) not in optimized:
                    found.append(p)
        if found:
            sample = smallest(found)
            self.unoptimized = (found, sample, sample.detach().clone())

    def _confirm_unoptimized(self):
        found, sample, before = self.unoptimized
        self.unoptimized = None
        if sample.grad is None or not same_values(sample, before):
            return
        names = [self.hooks.parameter_name(p) for p in found]
        shown = ", ".join(names[:4]) + (f", … (+{len(names) - 4})" if len(names) > 4 else "")
        optimizers = self.hooks.live_optimizers()
        location = self.hooks.optimizer_locations.get(id(optimizers[0])) if optimizers else None
        evidence = {"parameters": names, "elements": sum(p.numel() for p in found), "steps_checked": CONFIRM_STEPS}
        self.report(location, evidence=evidence, cause="unoptimized", template="TL010.unoptimized", count=len(names),
                    parameters=shown, steps=CONFIRM_STEPS)
