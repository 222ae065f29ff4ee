"""v2.ToImage and v2.ToPureTensor: image tensors as C×H×W tensors, with no tv_tensors wrapper class."""
import torch

from .. import functional as F

__all__ = ["ToImage", "ToPureTensor"]


class ToImage:
    """An image as a C×H×W tensor of the same dtype: an H×W image gains a channel axis in front, a tensor of three
    or more dimensions is already one and stays as it is."""

    def __call__(self, inpt):
        if not isinstance(inpt, torch.Tensor):
            return F.pil_to_tensor(inpt)  # raises the TypeError for what is not an image
        return inpt.unsqueeze(0) if inpt.ndim == 2 else inpt

    def _fold_pixels(self, plan):
        return plan.then(channel_axis=True)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ToPureTensor:
    """Leaves tensors as they are (there are no tv_tensors subclasses to unwrap in the runtime)."""

    def __call__(self, inpt):
        return inpt

    def _fold_pixels(self, plan):
        return plan

    def __repr__(self):
        return f"{self.__class__.__name__}()"
