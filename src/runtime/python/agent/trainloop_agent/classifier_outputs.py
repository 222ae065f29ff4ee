"""Remembers the model's output a classification loss was given, for the predictions under the panel's batch images,
and hands the loss functions called with gradients off to the evaluation passes (eval_metrics.py).

Wraps torch.nn.functional.cross_entropy and nll_loss (nn.CrossEntropyLoss and nn.NLLLoss call them), keeping a
reference to their input while gradients are on: the logits (or log-probabilities) of the batch. Nothing is computed
here; the watch takes the reference after backward() and reads it only on the batches it samples. With gradients off
(a test loop), these and the common regression losses are measured by the evaluation passes instead.
"""
import functools

import torch

from .compiling import is_compiling

__all__ = ["ClassifierOutputs"]

_LOSSES = ("cross_entropy", "nll_loss")
_EVALUATED_ONLY = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                   "binary_cross_entropy_with_logits")


class ClassifierOutputs:
    def __init__(self, evaluation=None):
        self._last = None
        self._evaluation = evaluation  # eval_metrics.EvaluationPasses, or None

    def install(self):
        functional = getattr(torch.nn, "functional", None)
        for name in _LOSSES + (_EVALUATED_ONLY if self._evaluation is not None else ()):
            inner = getattr(functional, name, None)
            if callable(inner):
                setattr(functional, name, self._recording(name, inner))

    def _recording(self, name, inner):
        outputs = self
        classification = name in _LOSSES

        def loss(*args, **kwargs):
            if torch.is_grad_enabled():
                if classification and not is_compiling():
                    outputs._last = args[0] if args else kwargs.get("input")
                return inner(*args, **kwargs)
            evaluation = outputs._evaluation
            if evaluation is not None and not is_compiling():
                return evaluation.observe(name, inner, args, kwargs)
            return inner(*args, **kwargs)

        return functools.wraps(inner)(loss)

    def take(self):
        """The input of the last classification loss called with grad enabled since the previous take(), or None."""
        last, self._last = self._last, None
        return last
