"""Folding pixel transforms into a lookup table for 8-bit images, so that a dataset of byte images can transform a
whole batch inside the one gather that fetches it.

`ToTensor`, `Normalize`, `ConvertImageDtype`, `v2.ToImage`, `v2.ToDtype` and `Compose` chains of them change each
pixel independently of the others, so their effect on an H×W byte image is fully described by: whether a channel
axis is added in front, the output dtype, and the output value for each of the 256 possible bytes. The values are
computed here with float32 rounding after every step, exactly as the tensor ops of the per-sample path compute
them. Any other transform (Lambda, user callables, subclasses that override `__call__`) has no plan: the dataset
applies it, and whatever follows it, sample by sample to what the plan of the steps before it produced.
"""
import struct

import torch

__all__ = ["BytePixelPlan", "split_plan", "fold", "float32"]


def float32(x):
    """x rounded to the nearest float32 (an op on float32 operands computed in double, then rounded, is the
    correctly rounded float32 op)."""
    return struct.unpack("f", struct.pack("f", x))[0]


class BytePixelPlan:
    """What a chain of per-pixel transforms does to an H×W image of bytes."""

    __slots__ = ("channel_axis", "dtype", "values")

    def __init__(self, channel_axis=False, dtype=torch.uint8, values=None):
        self.channel_axis = channel_axis
        self.dtype = dtype
        self.values = list(range(256)) if values is None else values

    def then(self, fn=None, dtype=None, channel_axis=None):
        """The plan followed by one more step: `fn` maps each output value, `dtype`/`channel_axis` replace ours."""
        return BytePixelPlan(
            self.channel_axis if channel_axis is None else channel_axis,
            self.dtype if dtype is None else dtype,
            self.values if fn is None else [fn(v) for v in self.values],
        )

    @property
    def is_raw(self):
        """Whether the output is the input bytes themselves (no lookup needed)."""
        return self.dtype is torch.uint8 and self.values == list(range(256))

    @property
    def is_image(self):
        """Whether the output is still what the dataset hands to a transform: a uint8 H×W image."""
        return self.dtype is torch.uint8 and not self.channel_axis

    def __repr__(self):
        return f"BytePixelPlan(channel_axis={self.channel_axis}, dtype={self.dtype})"


def fold(transform, plan):
    """`plan` followed by `transform`, or None when the transform is not a known per-pixel map."""
    cls = type(transform)
    owner = next((klass for klass in cls.__mro__ if "_fold_pixels" in vars(klass)), None)
    if owner is None or cls.__call__ is not owner.__call__:
        return None
    return transform._fold_pixels(plan)


def split_plan(transform):
    """(plan, rest): the plan of the longest leading part of `transform` (None for no transform) that folds, and
    the transforms after it, which run sample by sample on what the plan produced. `Compose` chains are looked
    into, so `Compose([ToTensor(), Normalize(...), Lambda(f)])` gives the plan of the first two and `[Lambda(f)]`.
    """
    plan = BytePixelPlan()
    steps = _steps(transform)
    for i, step in enumerate(steps):
        folded = fold(step, plan)
        if folded is None:
            return plan, steps[i:]
        plan = folded
    return plan, []


def _steps(transform):
    """The transforms applied one after the other: a plain Compose's (recursively), or the transform itself."""
    from .transforms import Compose

    if transform is None:
        return []
    if isinstance(transform, Compose) and type(transform).__call__ is Compose.__call__:
        return [step for inner in transform.transforms for step in _steps(inner)]
    return [transform]
