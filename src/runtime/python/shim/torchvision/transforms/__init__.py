"""torchvision.transforms: ToTensor, Normalize, Compose, Lambda and friends, on image tensors."""
from .transforms import *  # noqa: F401,F403
from .transforms import __all__  # noqa: F401
from . import functional  # noqa: F401
