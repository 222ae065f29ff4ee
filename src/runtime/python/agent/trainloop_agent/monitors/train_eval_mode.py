"""TL008: a model with Dropout or BatchNorm evaluated in training mode, or trained in evaluation mode.

Rules: (1) evaluating in training mode: EVAL_CALLS calls of one model under torch.no_grad() while any of its
Dropout/BatchNorm layers is in training mode (dropout still drops, BatchNorm still updates its running statistics).
(2) training in eval mode: an optimizer.step() updates the parameters of a model whose Dropout/BatchNorm layers were
all in eval mode when it produced this step's outputs. Models without such layers behave the same in both modes and
are never reported.
"""
import weakref

import torch

from .base import Monitor
from .gradients import optimizer_params
from ..diagnostics import user_location

__all__ = ["TrainEvalModeMonitor", "EVAL_CALLS"]

EVAL_CALLS = 2


def _mode_dependent_types():
    nn = torch.nn
    names = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
             "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d", "InstanceNorm2d",
             "InstanceNorm3d")
    return tuple(t for t in (getattr(nn, n, None) for n in names) if isinstance(t, type))


class TrainEvalModeMonitor(Monitor):
    code = "TL008"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.types = _mode_dependent_types()
        self.layers = {}  # id(model) -> (weakref(model), [mode-dependent submodules])
        self.eval_calls = {}  # id(model) -> calls under no_grad in training mode
        self.eval_mode_forward = {}  # id(model) -> (model weakref, Location, batch) of a grad-enabled call in eval mode

    def _layers_of(self, model):
        known = self.layers.get(id(model))
        if known is not None and known[0]() is model:
            return known[1]
        layers = [m for m in model.modules() if isinstance(m, self.types)]
        self.layers[id(model)] = (weakref.ref(model), layers)
        return layers

    def on_model_call(self, model, args, output):
        layers = self._layers_of(model)
        if not layers:
            return
        key = id(model)
        if not torch.is_grad_enabled():
            training = [m for m in layers if m.training]
            if not training:
                self.eval_calls.pop(key, None)
                return
            calls = self.eval_calls.get(key, 0) + 1
            self.eval_calls[key] = calls
            if calls == EVAL_CALLS:
                evidence = {
                    "calls_under_no_grad": calls,
                    "layers_in_training_mode": sorted({type(m).__name__ for m in training}),
                }
                self.report(evidence=evidence, cause=("eval", key), template="TL008.eval", calls=calls,
                            layers=", ".join(evidence["layers_in_training_mode"]))
        elif all(not m.training for m in layers):
            if key not in self.eval_mode_forward:
                self.eval_mode_forward[key] = (weakref.ref(model), user_location(), self.reporter.current_batch())
        else:
            self.eval_mode_forward.pop(key, None)

    def on_step_start(self, optimizer):
        if not self.eval_mode_forward:
            return
        updated = {id(p) for p in optimizer_params(optimizer) if p.grad is not None}
        for key, (ref, location, batch) in list(self.eval_mode_forward.items()):
            model = ref()
            if model is None:
                del self.eval_mode_forward[key]
                continue
            if any(id(p) in updated for p in model.parameters()):
                evidence = {"layers_in_eval_mode": sorted({type(m).__name__ for m in self._layers_of(model)})}
                self.report(location, evidence=evidence, cause=("train", key), batch=batch, template="TL008.train",
                            layers=", ".join(evidence["layers_in_eval_mode"]))
                del self.eval_mode_forward[key]

    def on_step_end(self, optimizer):
        self.eval_mode_forward.clear()
