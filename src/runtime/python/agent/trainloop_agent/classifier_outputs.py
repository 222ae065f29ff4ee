"""Remembers the model's output a classification loss was given, for the predictions under the panel's batch images.

Wraps torch.nn.functional.cross_entropy and nll_loss (nn.CrossEntropyLoss and nn.NLLLoss call them), keeping a
reference to their input while gradients are on: the logits (or log-probabilities) of the batch. Nothing is computed
here; the watch takes the reference after backward() and reads it only on the batches it samples.
"""
import functools

import torch

from .compiling import is_compiling

__all__ = ["ClassifierOutputs"]

_LOSSES = ("cross_entropy", "nll_loss")


class ClassifierOutputs:
    def __init__(self):
        self._last = None

    def install(self):
        functional = getattr(torch.nn, "functional", None)
        for name in _LOSSES:
            inner = getattr(functional, name, None)
            if callable(inner):
                setattr(functional, name, self._recording(inner))

    def _recording(self, inner):
        outputs = self

        def loss(*args, **kwargs):
            if torch.is_grad_enabled() and not is_compiling():
                outputs._last = args[0] if args else kwargs.get("input")
            return inner(*args, **kwargs)

        return functools.wraps(inner)(loss)

    def take(self):
        """The input of the last classification loss called with grad enabled since the previous take(), or None."""
        last, self._last = self._last, None
        return last
