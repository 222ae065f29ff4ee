"""torchvision.utils: make_grid (images tiled into one tensor) and save_image (that grid written as a PNG file).

The runtime has no PIL, so save_image writes the PNG itself (zlib-compressed rows, filter type 0), the format
torchvision's PIL path gives for a `.png` name.
"""
import math
import os
import struct
import zlib

import torch
from torch._tensor import unsupported

__all__ = ["make_grid", "save_image"]


def _normalize_in_place(image, low, high):
    image.clamp_(min=low, max=high)
    image.sub_(low).div_(max(high - low, 1e-5))


def _normalize(image, value_range):
    if value_range is not None:
        _normalize_in_place(image, value_range[0], value_range[1])
    else:
        _normalize_in_place(image, float(image.min()), float(image.max()))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0,
              **kwargs):
    """Tiles a batch of images (B×C×H×W, or a list of C×H×W) into one C×H'×W' image, `nrow` images per row."""
    if "range" in kwargs:
        value_range = kwargs.pop("range")
    if kwargs:
        raise TypeError(f"make_grid() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not (isinstance(tensor, torch.Tensor) or
            (isinstance(tensor, (list, tuple)) and all(isinstance(t, torch.Tensor) for t in tensor))):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, (list, tuple)):
        tensor = torch.stack(list(tensor), dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = torch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = torch.cat((tensor, tensor, tensor), 1)
    if tensor.dim() != 4:
        raise ValueError(f"make_grid expects images of 2, 3 or 4 dimensions, got {tensor.dim()}")
    if normalize is True:
        tensor = tensor.clone()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            tensor = torch.stack([_normalized_copy(image, value_range) for image in tensor])
        else:
            _normalize(tensor, value_range)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    count = tensor.size(0)
    columns = min(nrow, count)
    rows = int(math.ceil(float(count) / columns))
    cell_h, cell_w = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    channels = tensor.size(1)
    grid = torch.full((channels, cell_h * rows + padding, cell_w * columns + padding), pad_value, dtype=tensor.dtype)
    index = 0
    for y in range(rows):
        for x in range(columns):
            if index >= count:
                break
            top, left = y * cell_h + padding, x * cell_w + padding
            grid[:, top:top + cell_h - padding, left:left + cell_w - padding] = tensor[index]
            index += 1
    return grid


def _normalized_copy(image, value_range):
    image = image.clone()
    _normalize(image, value_range)
    return image


def _png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_bytes(pixels, height, width, channels):
    """A PNG file (8 bits per sample) for row-major pixel bytes of an H×W×C image, C in 1 (gray), 3 (RGB), 4 (RGBA)."""
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    stride = width * channels
    rows = b"".join(b"\x00" + pixels[row * stride:(row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(rows, 6)) +
            _png_chunk(b"IEND", b""))


def _format_of(fp, format):
    if format is not None:
        return str(format).upper()
    if isinstance(fp, (str, bytes)) or hasattr(fp, "__fspath__"):
        name = os.fsdecode(os.fspath(fp))
        extension = os.path.splitext(name)[1].lower()
        if not extension:
            raise ValueError(f"unknown file extension: {extension}")
        return {".png": "PNG"}.get(extension, extension[1:].upper())
    raise ValueError("unknown file extension: ")


def save_image(tensor, fp, format=None, **kwargs):
    """Writes a tensor image, or a batch tiled by make_grid(**kwargs), to `fp` (a path or a binary file) as PNG."""
    image_format = _format_of(fp, format)
    if image_format != "PNG":
        raise unsupported(f"torchvision.utils.save_image in {image_format} format (the runtime writes PNG only)")
    grid = make_grid(tensor, **kwargs)
    if grid.dim() == 2:
        grid = grid.unsqueeze(0)
    channels, height, width = grid.shape
    if channels not in (3, 4):
        raise TypeError(f"Cannot handle this data type: (1, 1, {channels}), |u1")
    pixels = grid.detach().mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8)
    data = png_bytes(bytes(pixels.reshape(-1).tolist()), height, width, channels)
    if isinstance(fp, (str, bytes)) or hasattr(fp, "__fspath__"):
        with open(fp, "wb") as file:
            file.write(data)
    else:
        fp.write(data)
