"""torchvision.transforms.v2: the same per-pixel transforms as v1 (ToTensor, Normalize, Compose, Lambda,
PILToTensor, ConvertImageDtype, one class each) plus v2's ToImage, ToDtype and ToPureTensor."""
from ..transforms import Compose, ConvertImageDtype, Lambda, Normalize, PILToTensor, ToTensor, UNSUPPORTED_TRANSFORMS
from ..transforms import _not_in_runtime
from .._augment import *  # noqa: F401,F403
from .._augment import __all__ as AUGMENTATIONS
from ._type_conversion import ToImage, ToPureTensor
from ._misc import ToDtype

__all__ = ["Compose", "ConvertImageDtype", "Lambda", "Normalize", "PILToTensor", "ToDtype", "ToImage",
           "ToPureTensor", "ToTensor"] + AUGMENTATIONS + list(UNSUPPORTED_TRANSFORMS)

for _name in UNSUPPORTED_TRANSFORMS:
    globals()[_name] = _not_in_runtime(_name, "torchvision.transforms.v2")
