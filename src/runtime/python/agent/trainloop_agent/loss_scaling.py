"""Mixed precision: tells the agent which backwarded tensor is a loss a GradScaler scaled, and by what.

With `torch.amp.GradScaler` (or torch.cuda.amp's) the script calls `scaler.scale(loss).backward()`: the backwarded
tensor is the loss times the scale (65536 at first), and its gradients are scaled too; when they overflow to inf the
scaler skips that optimizer step and lowers the scale. Wrapping `GradScaler.scale` lets the agent report the loss the
user computed (unscaled), divide the gradient norms it measures right after backward() by the scale, and not report
a skipped step's inf gradients as a training problem. A NaN in the loss itself still shows in the unscaled loss.
"""
import functools
import weakref

import torch

from .compiling import is_compiling

__all__ = ["ScaledLosses", "Scaled"]

_WRAPPED = "__trainloop_scaled__"
_REMEMBERED = 8  # scaled outputs kept (weakly): backward() comes right after scale()


class Scaled:
    """What a scaled loss stands for: the loss before scaling (detached), the scale (a one-element tensor, or a float
    when the scaler keeps no tensor) and id() of the user's loss tensor."""

    __slots__ = ("loss", "scale", "source")

    def __init__(self, loss, scale, source):
        self.loss = loss
        self.scale = scale
        self.source = source


def _scaler_classes():
    found = []
    for owner in (getattr(torch, "amp", None), getattr(getattr(torch, "cuda", None), "amp", None),
                  getattr(getattr(torch, "cpu", None), "amp", None)):
        cls = getattr(owner, "GradScaler", None)
        if isinstance(cls, type) and cls not in found:
            found.append(cls)
    return found


class ScaledLosses:
    """Wraps every GradScaler class's `scale` once and remembers its last few outputs."""

    def __init__(self):
        self._recent = []  # (weakref to a scaled output, Scaled), newest last
        self.used = False  # a GradScaler has scaled a loss in this run

    def install(self):
        for cls in _scaler_classes():
            inner = cls.__dict__.get("scale")
            if callable(inner) and not getattr(inner, _WRAPPED, False):
                cls.scale = self._wrapper(inner)

    def _wrapper(self, inner):
        losses = self

        def scale(scaler, outputs, *args, **kwargs):
            result = inner(scaler, outputs, *args, **kwargs)
            if result is not outputs and not is_compiling():
                try:
                    losses._remember(scaler, outputs, result)
                except Exception:  # bookkeeping never gets in the way of training
                    pass
            return result

        functools.update_wrapper(scale, inner)
        setattr(scale, _WRAPPED, True)
        return scale

    def _remember(self, scaler, outputs, result):
        if isinstance(outputs, torch.Tensor) and isinstance(result, torch.Tensor):
            pairs = [(outputs, result)]
        elif isinstance(outputs, (list, tuple)) and isinstance(result, (list, tuple)):
            pairs = [(o, r) for o, r in zip(outputs, result) if isinstance(o, torch.Tensor) and isinstance(r, torch.Tensor)]
        else:
            return
        scale = getattr(scaler, "_scale", None)  # torch keeps the scale as a tensor on the loss's device
        if not isinstance(scale, torch.Tensor):
            scale = float(scaler.get_scale())
        self.used = True
        recent = self._recent
        for loss, scaled in pairs:
            recent.append((weakref.ref(scaled), Scaled(loss.detach(), scale, id(loss))))
        del recent[:-_REMEMBERED]

    def of(self, tensor):
        """The Scaled record when `tensor` is a GradScaler's output, else None."""
        for ref, scaled in reversed(self._recent):
            if ref() is tensor:
                return scaled
        return None

    def unscaled(self, tensor):
        """The loss before scaling when `tensor` is a GradScaler's output, else `tensor` itself."""
        scaled = self.of(tensor) if self._recent else None
        return tensor if scaled is None else scaled.loss
