"""Augmentation transform classes (Pad, Grayscale, Resize, CenterCrop, RandomCrop, RandomHorizontalFlip,
RandomVerticalFlip, RandomRotation, ColorJitter, RandomResizedCrop, ToPILImage), drawing their random parameters
from torch's generator in the order torchvision does. The pixel work is in _image_ops."""
import enum
import math
import numbers

import torch

from . import _image_ops as ops

__all__ = ["InterpolationMode", "Pad", "Grayscale", "Resize", "CenterCrop", "RandomCrop", "RandomHorizontalFlip",
           "RandomVerticalFlip", "RandomRotation", "ColorJitter", "RandomResizedCrop", "ToPILImage"]


class InterpolationMode(enum.Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _mode(interpolation):
    """InterpolationMode, also from PIL's integer codes (0 nearest, 2 bilinear, 3 bicubic) older scripts pass."""
    if isinstance(interpolation, numbers.Integral):
        return {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                1: InterpolationMode.LANCZOS, 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING}[interpolation]
    return interpolation


def _size(size, name="size"):
    if isinstance(size, numbers.Integral):
        return (size, size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return (size[0], size[0])
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    return tuple(size)


class _Transform:
    def __repr__(self):
        return f"{self.__class__.__name__}({self._describe()})"

    def _describe(self):
        return ""


class Pad(_Transform):
    def __init__(self, padding, fill=0, padding_mode="constant"):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return ops.pad(img, self.padding, self.fill, self.padding_mode)

    def _describe(self):
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


class Grayscale(_Transform):
    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return ops.rgb_to_grayscale(img, self.num_output_channels)

    def _describe(self):
        return f"num_output_channels={self.num_output_channels}"


class Resize(_Transform):
    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=None):
        if not isinstance(size, (int, list, tuple)) or (isinstance(size, (list, tuple)) and len(size) not in (1, 2)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        self.size, self.interpolation = size, _mode(interpolation)
        self.max_size, self.antialias = max_size, antialias

    def __call__(self, img):
        return ops.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def _describe(self):
        return (f"size={self.size}, interpolation={self.interpolation.value}, max_size={self.max_size}, "
                f"antialias={self.antialias}")


class CenterCrop(_Transform):
    def __init__(self, size):
        self.size = _size(size)

    def __call__(self, img):
        return ops.center_crop(img, self.size)

    def _describe(self):
        return f"size={self.size}"


class RandomCrop(_Transform):
    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _size(size)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img, output_size):
        h, w = ops.image_size(img)
        th, tw = output_size
        if h + 1 < th or w + 1 < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = torch.randint(0, h - th + 1, size=(1,)).item()
        j = torch.randint(0, w - tw + 1, size=(1,)).item()
        return i, j, th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = ops.pad(img, self.padding, self.fill, self.padding_mode)
        height, width = ops.image_size(img)
        if self.pad_if_needed and width < self.size[1]:
            img = ops.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = ops.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return ops.crop(img, i, j, h, w)

    def _describe(self):
        return f"size={self.size}, padding={self.padding}"


class RandomHorizontalFlip(_Transform):
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        return ops.hflip(img) if torch.rand(1).item() < self.p else img

    def _describe(self):
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    def __call__(self, img):
        return ops.vflip(img) if torch.rand(1).item() < self.p else img


def _uniform(low, high):
    return float(torch.empty(1).uniform_(float(low), float(high)).item())


class RandomRotation(_Transform):
    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0,
                 resample=None):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = [-degrees, degrees]
        elif not isinstance(degrees, (list, tuple)) or len(degrees) != 2:
            raise ValueError("If degrees is a sequence, it must be of len 2.")
        self.degrees = [float(d) for d in degrees]
        self.interpolation = _mode(interpolation)
        self.expand, self.center, self.fill = expand, center, fill

    @staticmethod
    def get_params(degrees):
        return _uniform(degrees[0], degrees[1])

    def __call__(self, img):
        return ops.rotate(img, self.get_params(self.degrees), self.interpolation, self.expand, self.center, self.fill)

    def _describe(self):
        return f"degrees={self.degrees}, interpolation={self.interpolation.value}, expand={self.expand}, fill={self.fill}"


def _jitter_range(value, name, center=1.0, bound=(0, float("inf")), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}")
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
    return None if value[0] == value[1] == center else tuple(value)


class ColorJitter(_Transform):
    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        order = torch.randperm(4)
        factors = [None if r is None else _uniform(r[0], r[1]) for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def __call__(self, img):
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        adjust = (ops.adjust_brightness, ops.adjust_contrast, ops.adjust_saturation, ops.adjust_hue)
        for index in order.tolist():
            if factors[index] is not None:
                img = adjust[index](img, factors[index])
        return img

    def _describe(self):
        return f"brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, hue={self.hue}"


class RandomResizedCrop(_Transform):
    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=InterpolationMode.BILINEAR,
                 antialias=None):
        self.size = _size(size)
        self.scale, self.ratio = scale, ratio
        self.interpolation, self.antialias = _mode(interpolation), antialias

    @staticmethod
    def get_params(img, scale, ratio):
        height, width = ops.image_size(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = torch.randint(0, height - h + 1, size=(1,)).item()
                j = torch.randint(0, width - w + 1, size=(1,)).item()
                return i, j, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return ops.resize(ops.crop(img, i, j, h, w), list(self.size), self.interpolation, None, self.antialias)

    def _describe(self):
        return f"size={self.size}, scale={self.scale}, ratio={self.ratio}, interpolation={self.interpolation.value}"


class ToPILImage(_Transform):
    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return ops.to_pil_image(pic, self.mode)
