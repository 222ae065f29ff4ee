"""The functions behind the transform classes, on image tensors (the runtime has no PIL or NumPy: a "PIL image"
here is a uint8 tensor of shape H×W, or H×W×C)."""
import torch
from torch._tensor import unsupported

__all__ = ["to_tensor", "pil_to_tensor", "normalize", "convert_image_dtype"]

_NOT_AN_IMAGE = ("pic should be PIL Image or ndarray. Got {}. (The Trainloop runtime has neither PIL nor NumPy: "
                 "images are uint8 tensors of shape H×W or H×W×C.)")


def _as_channels_first(pic):
    """An image tensor H×W or H×W×C as C×H×W."""
    if not isinstance(pic, torch.Tensor):
        raise TypeError(_NOT_AN_IMAGE.format(type(pic)))
    if pic.ndim == 2:
        return pic.unsqueeze(0)
    if pic.ndim == 3:
        return pic.permute(2, 0, 1)
    raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")


def to_tensor(pic):
    """An image (uint8 H×W or H×W×C) as a float32 C×H×W tensor with values in [0, 1]; other dtypes keep their
    values and only move the channel axis first."""
    image = _as_channels_first(pic)
    if pic.dtype is torch.uint8:
        return image.to(torch.float32).div(255)
    return image


def pil_to_tensor(pic):
    """An image (H×W or H×W×C) as a C×H×W tensor of the same dtype."""
    return _as_channels_first(pic)


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel, for a float tensor image of shape (..., C, H, W)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {tensor.size()}")
    mean = torch.as_tensor(mean, dtype=tensor.dtype)
    std = torch.as_tensor(std, dtype=tensor.dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean).div_(std)
    return tensor.sub(mean).div(std)


def convert_image_dtype(image, dtype=torch.float32):
    """An image tensor in another dtype, rescaling values between the integer range [0, 255] of uint8 and the
    float range [0, 1]."""
    if not isinstance(image, torch.Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype is dtype:
        return image
    if image.is_floating_point() and dtype.is_floating_point:
        return image.to(dtype)
    if image.dtype is torch.uint8 and dtype.is_floating_point:
        return image.to(dtype).div(255)
    if image.is_floating_point() and dtype is torch.uint8:
        # Scale by just under 256 so that 1.0 maps to 255 and each byte value gets an equal share of [0, 1].
        return image.mul(255 + 1.0 - 1e-3).to(dtype)
    raise unsupported(f"torchvision.transforms.functional.convert_image_dtype from {image.dtype} to {dtype}")


# The geometric and colour functions, shared with the augmentation transforms.
from ._image_ops import (pad, crop, center_crop, hflip, vflip, resize, rotate, rgb_to_grayscale,  # noqa: E402
                         adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue, to_pil_image)
from ._augment import InterpolationMode  # noqa: E402


def to_grayscale(img, num_output_channels=1):
    return rgb_to_grayscale(img, num_output_channels)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=None):
    return resize(crop(img, top, left, height, width), size, interpolation, None, antialias)


def get_image_size(img):
    """[width, height], as torchvision's."""
    from ._image_ops import image_size

    height, width = image_size(img)
    return [width, height]


__all__ += ["pad", "crop", "center_crop", "hflip", "vflip", "resize", "rotate", "rgb_to_grayscale", "to_grayscale",
            "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "to_pil_image",
            "resized_crop", "get_image_size", "InterpolationMode"]
