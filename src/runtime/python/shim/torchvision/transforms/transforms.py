"""Transform classes: ToTensor, PILToTensor, ConvertImageDtype, Normalize, Compose, Lambda.

Each per-pixel transform also knows how to fold itself into a `BytePixelPlan` (see `_byte_pixels`), which lets
byte-image datasets apply it to a whole batch in one gather. The augmentations are in _augment; the rest of
torchvision's transforms are stand-ins whose construction raises NotImplementedError naming them.
"""
import torch
from torch._tensor import unsupported

from . import functional as F
from ._byte_pixels import float32, fold

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Lambda"]


class Compose:
    """Applies transforms one after the other."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def _fold_pixels(self, plan):
        for t in self.transforms:
            plan = fold(t, plan)
            if plan is None:
                return None
        return plan

    def __repr__(self):
        lines = [f"{self.__class__.__name__}("]
        lines += [f"    {t}" for t in self.transforms]
        lines.append(")")
        return "\n".join(lines)


class ToTensor:
    """An image (uint8 H×W or H×W×C) as a float32 C×H×W tensor scaled to [0, 1]."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def _fold_pixels(self, plan):
        if not plan.is_image:
            return None
        return plan.then(lambda v: float32(v / 255), dtype=torch.float32, channel_axis=True)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class PILToTensor:
    """An image (H×W or H×W×C) as a C×H×W tensor, values unchanged."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def _fold_pixels(self, plan):
        if not plan.is_image:
            return None
        return plan.then(channel_axis=True)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ConvertImageDtype:
    """An image tensor in another dtype, rescaled (uint8 [0, 255] ↔ float [0, 1])."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return F.convert_image_dtype(image, self.dtype)

    def _fold_pixels(self, plan):
        if plan.dtype is self.dtype:
            return plan
        if plan.dtype.is_floating_point and self.dtype.is_floating_point:
            return plan.then(dtype=self.dtype)
        if plan.dtype is torch.uint8 and self.dtype.is_floating_point:
            return plan.then(lambda v: float32(v / 255), dtype=self.dtype)
        return None

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Normalize:
    """(image - mean) / std per channel, for float tensor images."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def _fold_pixels(self, plan):
        if not plan.dtype.is_floating_point or not plan.channel_axis:
            return None
        mean, std = _one_channel_value(self.mean), _one_channel_value(self.std)
        if mean is None or std is None or std == 0:
            return None  # several channels, or a division by zero: the per-sample path reports it
        return plan.then(lambda v: float32(float32(v - mean) / std))

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


def _one_channel_value(value):
    """The float32 value of a mean or std given for a single channel (a number or a one-item sequence)."""
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            return None
        value = value[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float32(float(value))
    return None


class Lambda:
    """Applies a user function."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


def _not_in_runtime(name, module="torchvision.transforms"):
    """A stand-in class for a transform the runtime lacks: constructing it raises NotImplementedError."""

    def __init__(self, *args, **kwargs):
        raise unsupported(f"{module}.{name}")

    return type(name, (), {"__init__": __init__, "__module__": __name__,
                           "__doc__": f"Not supported by the Trainloop runtime yet: {module}.{name}."})


from ._augment import *  # noqa: E402,F401,F403
from ._augment import __all__ as AUGMENTATIONS  # noqa: E402

__all__ += AUGMENTATIONS

UNSUPPORTED_TRANSFORMS = (
    "RandomAffine", "RandomPerspective", "RandomGrayscale", "GaussianBlur", "RandomErasing", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix",
    "RandomApply", "RandomChoice", "RandomOrder", "FiveCrop", "TenCrop", "LinearTransformation", "RandomInvert",
    "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize",
    "ElasticTransform",
)

for _name in UNSUPPORTED_TRANSFORMS:
    globals()[_name] = _not_in_runtime(_name)
__all__ += list(UNSUPPORTED_TRANSFORMS)
