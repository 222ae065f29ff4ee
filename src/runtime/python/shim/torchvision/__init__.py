"""torchvision for the Trainloop runtime: the MNIST family of datasets, the transforms, utils and models (without
pretrained weights).

There is no PIL in the runtime: where torchvision hands a transform a PIL image, this one hands it the image as a
uint8 tensor of shape H×W, which `transforms.ToTensor()` turns into a float32 1×H×W tensor in [0, 1] as usual.
"""
from . import datasets, models, transforms, utils

__version__ = "0.20.0+trainloop"

__all__ = ["datasets", "models", "transforms", "utils", "get_image_backend", "set_image_backend"]


def get_image_backend():
    """The runtime has no image library: images are uint8 tensors."""
    return "tensor"


def set_image_backend(backend):
    from torch._tensor import unsupported

    raise unsupported(f"torchvision.set_image_backend({backend!r}) (images are tensors in the runtime)")
