"""TL007: CrossEntropyLoss receives probabilities (softmax) or log-probabilities (log-softmax) instead of logits.

Rule (Amazon CodeGuru's `pytorch-redundant-softmax`, checked on values instead of names): the input of
nn.CrossEntropyLoss / F.cross_entropy has, along the class dimension, either every row in [0, 1] summing to 1
(softmax) or every value <= 0 with logsumexp == 0 (log-softmax), within TOLERANCE. Raw logits practically never do.
The layer named in the message is the module whose call returned that very tensor. Checks the first CHECKED_CALLS
calls (one read-back each), then stops.
"""
import weakref
from collections import deque

import torch

from ..diagnostics import number
from .base import Monitor

__all__ = ["SoftmaxIntoCrossEntropyMonitor", "TOLERANCE", "CHECKED_CALLS"]

TOLERANCE = 1e-3
CHECKED_CALLS = 3
GIVE_UP_AFTER_BATCHES = 3  # no cross-entropy call by then: stop recording module outputs


class SoftmaxIntoCrossEntropyMonitor(Monitor):
    code = "TL007"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.outputs = deque(maxlen=16)  # (weakref to a module's output, module), most recent last
        self.checked = 0

    def finish(self):
        self.outputs.clear()
        super().finish()

    def on_module_output(self, module, output):
        if isinstance(output, torch.Tensor):
            self.outputs.append((weakref.ref(output), module))

    def on_batch_end(self, batch, loss):
        if self.checked == 0 and batch + 1 >= GIVE_UP_AFTER_BATCHES:
            self.finish()

    def on_cross_entropy(self, input, target):
        if not isinstance(input, torch.Tensor) or input.dim() < 2 or input.shape[1] < 2:
            return
        if not input.is_floating_point():
            return
        self.checked += 1
        kind, error = self._kind(input)
        if kind is None:
            if self.checked >= CHECKED_CALLS:
                self.finish()
            return
        layer, module = self._producer(input, kind)
        evidence = {
            "input": kind,
            "classes": int(input.shape[1]),
            "producer": type(module).__name__ if module is not None else None,
            "rule": "rows in [0, 1] summing to 1" if kind == "softmax" else "values <= 0 with logsumexp 0 per row",
            "max_error": error,
        }
        self.report(evidence=evidence, template=f"TL007.{kind}", layer=layer, classes=int(input.shape[1]),
                    error=number(error, 2))
        self.finish()

    @staticmethod
    def _kind(input):
        with torch.no_grad():
            x = input.detach().float()
            low, high, sum_error, lse_error = torch.stack(
                [x.min(), x.max(), (x.sum(dim=1) - 1).abs().max(), x.logsumexp(dim=1).abs().max()]
            ).tolist()
        if low >= 0 and high <= 1 + TOLERANCE and sum_error <= TOLERANCE:
            return "softmax", sum_error
        if high <= TOLERANCE and lse_error <= TOLERANCE:
            return "log_softmax", lse_error
        return None, None

    def _producer(self, tensor, kind):
        """`LogSoftmax 'model.3'`, `Net.forward()`, or `softmax()`: the module or call whose output it was."""
        for ref, module in self.outputs:  # oldest first: the innermost module finished first
            if ref() is tensor:
                if not any(True for _ in module.children()):
                    return f"{type(module).__name__} '{self.hooks.module_name(module)}'", module
                return f"{type(module).__name__}.forward()", module
        return f"{kind}()", None
