"""v2.ToDtype: converts image tensors to a dtype, optionally rescaling between uint8 and float ranges."""
import torch
from torch._tensor import unsupported

from .. import functional as F
from .._byte_pixels import float32

__all__ = ["ToDtype"]


class ToDtype:
    """`inpt.to(dtype)`; with `scale=True`, values are rescaled as well (uint8 [0, 255] ↔ float [0, 1])."""

    def __init__(self, dtype, scale=False):
        if isinstance(dtype, dict):
            raise unsupported("torchvision.transforms.v2.ToDtype with a dict of dtypes")
        self.dtype = dtype
        self.scale = scale

    def __call__(self, inpt):
        if not isinstance(inpt, torch.Tensor):
            return inpt
        if self.scale:
            return F.convert_image_dtype(inpt, self.dtype)
        return inpt.to(self.dtype)

    def _fold_pixels(self, plan):
        if plan.dtype is self.dtype:
            return plan
        if plan.dtype.is_floating_point and self.dtype.is_floating_point:
            return plan.then(dtype=self.dtype)
        if plan.dtype is torch.uint8 and self.dtype.is_floating_point:
            if self.scale:
                return plan.then(lambda v: float32(v / 255), dtype=self.dtype)
            return plan.then(float, dtype=self.dtype)
        return None

    def __repr__(self):
        return f"{self.__class__.__name__}(dtype={self.dtype}, scale={self.scale})"
